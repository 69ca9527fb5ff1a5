import CorralModel
import Foundation

// MARK: - POST /api/v1: the v1 Agent Operator API, JSON only (ATTACH_CONTAINER_OUTPUT: JSON records)

extension AgentHTTP {
    func operatorAPI(_ request: AgentHTTPRequest) async -> AgentHTTPResponse {
        if let refusal = Self.checkContentType(request) { return refusal }
        if request.bodyTooLarge {
            return .problem(413, "the body exceeds \(Self.maxBodyBytes) bytes; an agent call is a small JSON document")
        }
        let call: AgentOperatorCall
        switch Self.decodeCall(request.body) {
        case .success(let decoded): call = decoded
        case .failure(let problem): return .problem(400, "malformed JSON call: \(problem.message)")
        }
        guard let type = call.type, !type.isEmpty else {
            return .problem(400, "the call has no \"type\"; this agent answers \(AgentOperatorCall.Kind.list)")
        }
        guard let kind = AgentOperatorCall.Kind(rawValue: type) else {
            let why = AgentOperatorCall.unsupported.contains(type) ? "is not supported by Corral's agent" : "is not a call type"
            return .problem(400, "\"\(type)\" \(why); this agent answers \(AgentOperatorCall.Kind.list)")
        }
        // ATTACH_CONTAINER_OUTPUT answers a RecordIO stream and checks Accept itself.
        if kind != .attachContainerOutput, let refusal = Self.checkAccept(request) { return refusal }
        let body: JSONValue
        switch kind {
        case .getHealth: body = AgentOperatorViews.health
        case .getVersion: body = AgentOperatorViews.version
        case .getFlags: body = AgentOperatorViews.flags(await view())
        case .getMetrics: body = AgentOperatorViews.getMetrics(await view(), now: Date())
        case .getState: body = AgentOperatorViews.getState(await view())
        case .getContainers: body = AgentOperatorViews.getContainers(await view())
        case .getFrameworks: body = AgentOperatorViews.getFrameworks(await view())
        case .getExecutors: body = AgentOperatorViews.getExecutors(await view())
        case .getTasks: body = AgentOperatorViews.getTasks(await view())
        case .getAgent: body = AgentOperatorViews.getAgent(await view())
        case .attachContainerOutput: return await attachContainerOutput(call, request)
        case .listFiles, .readFile:
            switch fileCall(kind, call) {
            case .success(let answer): body = answer
            case .failure(let error): return .problem(error.status, error.message)
            }
        }
        return .json(["type": .string(kind.rawValue), kind.field: body])
    }

    /// LIST_FILES and READ_FILE, through the same confinement as `/files`.
    private func fileCall(_ kind: AgentOperatorCall.Kind, _ call: AgentOperatorCall) -> Result<JSONValue, FilesError> {
        Result { () throws(FilesError) -> JSONValue in
            if kind == .listFiles {
                guard let path = call.listFiles?.path else {
                    throw FilesError(.badRequest, "LIST_FILES needs \"list_files\": {\"path\": …}")
                }
                return ["file_infos": .array(try SandboxFileReader.browse(files, path: path).map(Self.fileInfo))]
            }
            guard let read = call.readFile else {
                throw FilesError(.badRequest, "READ_FILE needs \"read_file\": {\"path\": …, \"offset\": …}")
            }
            let bytes = try SandboxFileReader.readBytes(
                files, path: read.path, offset: Int(clamping: read.offset), length: read.length.map { Int(clamping: $0) })
            return ["size": .integer(Int64(bytes.size)), "data": .string(Data(bytes.data).base64EncodedString())]
        }
    }

    /// A `mesos.v1.FileInfo`: `mode` as the number `st_mode` holds, `mtime` in nanoseconds.
    static func fileInfo(_ entry: SandboxFileReader.Entry) -> JSONValue {
        [
            "path": .string(entry.path), "nlink": .integer(Int64(entry.nlink)), "size": .integer(Int64(entry.size)),
            "mtime": ["nanoseconds": .integer(Int64(entry.mtime * 1e9))], "mode": .integer(Int64(modeBits(entry.mode))),
            "uid": .string(entry.uid), "gid": .string(entry.gid),
        ]
    }

    /// The `st_mode` bits of an `ls -l` mode string such as `drwxr-xr-x`.
    static func modeBits(_ text: String) -> UInt32 {
        let kinds: [Character: UInt32] = [
            "d": 0o040000, "l": 0o120000, "p": 0o010000, "s": 0o140000, "c": 0o020000, "b": 0o060000, "-": 0o100000,
        ]
        var bits = text.first.flatMap { kinds[$0] } ?? 0
        for (index, character) in text.dropFirst().prefix(9).enumerated() where character != "-" {
            bits |= 1 << UInt32(8 - index)
        }
        return bits
    }

    /// 415 for a body that is not JSON, 400 without a Content-Type, 406 when the client
    /// accepts no JSON.
    static func checkMediaTypes(_ request: AgentHTTPRequest) -> AgentHTTPResponse? {
        checkContentType(request) ?? checkAccept(request)
    }

    /// 415 for a body that is not JSON, 400 without a Content-Type.
    static func checkContentType(_ request: AgentHTTPRequest) -> AgentHTTPResponse? {
        guard let contentType = request.headers["content-type"]?.lowercased(), !contentType.isEmpty else {
            return .problem(400, "expecting a Content-Type header; send the call as application/json")
        }
        let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard mediaType == "application/json" else {
            return .problem(415, "Content-Type \(contentType) is not supported; this agent takes application/json only")
        }
        return nil
    }

    /// 406 when the client accepts no JSON.
    static func checkAccept(_ request: AgentHTTPRequest) -> AgentHTTPResponse? {
        if let accept = request.headers["accept"]?.lowercased(), !accept.isEmpty,
            !accept.contains("application/json"), !accept.contains("*/*"), !accept.contains("application/*")
        {
            return .problem(406, "this agent answers application/json only; Accept was \(accept)")
        }
        return nil
    }

    /// Why a body is not a call.
    struct CallProblem: Error {
        var message: String
    }

    /// The call in `body`, or what was wrong with it: where the JSON broke, or which field
    /// was missing or of the wrong type.
    static func decodeCall(_ body: [UInt8]) -> Result<AgentOperatorCall, CallProblem> {
        guard !body.isEmpty else {
            return .failure(CallProblem(message: "the body is empty; send a call such as {\"type\": \"GET_HEALTH\"}"))
        }
        do {
            // Foundation's decoder says only "not valid JSON"; the parser says where.
            _ = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? error.localizedDescription
            return .failure(CallProblem(message: "the body is not JSON: \(detail)"))
        }
        do {
            return .success(try MesosJSON.decode(AgentOperatorCall.self, from: body))
        } catch {
            let prefix = "cannot decode \(AgentOperatorCall.self): "
            let message = error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
            return .failure(CallProblem(message: "not an agent call: \(message)"))
        }
    }
}
