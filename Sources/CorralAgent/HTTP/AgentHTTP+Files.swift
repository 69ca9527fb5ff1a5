import CorralModel
import Foundation

// MARK: - /files, as Mesos's `files.cpp` serves it

extension AgentHTTP {
    /// `GET /files/browse?path=`: the directory's entries (`ls -l` fields).
    static func browse(_ request: AgentHTTPRequest, files: SandboxFiles) -> AgentHTTPResponse {
        filesAnswer { () throws(FilesError) in
            let path = try requiredPath(request)
            return .json(try SandboxFileReader.browse(files, path: path))
        }
    }

    /// `GET /files/read?path=&offset=&length=`: `{"data", "offset"}`; no offset (or -1) asks
    /// for the size only.
    static func read(_ request: AgentHTTPRequest, files: SandboxFiles) -> AgentHTTPResponse {
        filesAnswer { () throws(FilesError) in
            let path = try requiredPath(request)
            let query = request.query
            let offset = try integer(query["offset"], name: "offset") ?? -1
            let length = try integer(query["length"], name: "length")
            return .json(try SandboxFileReader.read(files, path: path, offset: offset, length: length))
        }
    }

    /// `GET /files/download?path=`: the file's bytes, as an attachment named after it.
    static func download(_ request: AgentHTTPRequest, files: SandboxFiles) -> AgentHTTPResponse {
        filesAnswer { () throws(FilesError) in
            let path = try requiredPath(request)
            let opened = try files.open(path)
            guard !opened.isDirectory else {
                throw FilesError(.badRequest, "\"\(path)\" is a directory; browse it instead")
            }
            let name = (opened.path as NSString).lastPathComponent.replacingOccurrences(of: "\"", with: "")
            return AgentHTTPResponse(
                headers: ["Content-Type": "application/octet-stream", "Content-Disposition": "attachment; filename=\"\(name)\""],
                body: .file(opened))
        }
    }

    private static func requiredPath(_ request: AgentHTTPRequest) throws(FilesError) -> String {
        guard let path = request.query["path"], !path.isEmpty else {
            throw FilesError(.badRequest, "expecting 'path=value' in the query, e.g. a task's sandbox directory from GET /state")
        }
        return path
    }

    private static func integer(_ text: String?, name: String) throws(FilesError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw FilesError(.badRequest, "\(name) \"\(text)\" is not an integer") }
        return value
    }

    private static func filesAnswer(_ body: () throws(FilesError) -> AgentHTTPResponse) -> AgentHTTPResponse {
        do {
            return try body()
        } catch {
            return .problem(error.status, error.message)
        }
    }
}
