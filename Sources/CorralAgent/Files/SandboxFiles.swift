import Foundation
import Synchronization

/// The directories the agent serves under `/files` (each task's sandbox), and how a
/// requested path maps into them. A path is served only inside an attached directory: a
/// `..` or `.` component is refused, and so is a path whose symlinks lead out of it.
///
/// A directory is reachable by its real path (what `GET /state` gives as an executor's
/// `directory`, and what mesos-cli reads) and by a virtual path such as Mesos's
/// `/frameworks/F/executors/E/runs/latest`.
public final class SandboxFiles: Sendable {
    /// Attached directories: the path a client names → the real directory.
    private let roots = Mutex<[String: String]>([:])

    public init() {}

    /// Serves `directory` by its own path and, when given, by `virtualPath`.
    public func attach(_ directory: String, as virtualPath: String? = nil) {
        let real = Self.normalized(directory)
        roots.withLock { roots in
            roots[real] = real
            if let virtualPath { roots[Self.normalized(virtualPath)] = real }
        }
    }

    /// Stops serving `directory` under every path it was attached as.
    public func detach(_ directory: String) {
        let real = Self.normalized(directory)
        roots.withLock { roots in roots = roots.filter { $0.value != real } }
    }

    /// Every attached path and the directory it names (`GET /files/debug`).
    public var attached: [String: String] { roots.withLock { $0 } }

    /// The real file or directory a client's `path` names.
    public func resolve(_ path: String) throws(FilesError) -> String {
        try resolved(path).file
    }

    /// The real file or directory a client's `path` names, and the real sandbox it is in.
    func resolved(_ path: String) throws(FilesError) -> (file: String, root: String) {
        guard !path.utf8.contains(0) else {
            throw FilesError(.badRequest, "path \"\(path.replacingOccurrences(of: "\0", with: "\\0"))\" contains a NUL byte")
        }
        guard path.hasPrefix("/") else {
            throw FilesError(.badRequest, "path \"\(path)\" must be absolute, e.g. a task's sandbox from GET /state")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        if components.contains(where: { $0 == ".." || $0 == "." }) {
            throw FilesError(.forbidden, "path \"\(path)\" may not contain '.' or '..' components")
        }
        let requested = "/" + components.joined(separator: "/")
        let known = roots.withLock { $0 }
        // The longest attached path that is a prefix of the request at a component boundary.
        guard let (root, directory) = known
            .filter({ requested == $0.key || requested.hasPrefix($0.key == "/" ? "/" : $0.key + "/") })
            .max(by: { $0.key.count < $1.key.count })
        else {
            throw FilesError(.notFound, "no sandbox is served at \"\(path)\"; GET /files/debug lists what is")
        }
        let rest = String(requested.dropFirst(root.count))
        let candidate = directory + rest
        guard let realRoot = Self.realPath(directory), let realCandidate = Self.realPath(candidate) else {
            throw FilesError(.notFound, "\"\(path)\" does not exist")
        }
        guard realCandidate == realRoot || realCandidate.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") else {
            throw FilesError(.forbidden, "\"\(path)\" leads out of its sandbox through a symbolic link")
        }
        return (realCandidate, realRoot)
    }

    static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }

    /// The path with every symlink resolved, or nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Why a `/files` request was refused; `status` is the HTTP status to answer with.
public struct FilesError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case badRequest, forbidden, notFound
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var status: Int {
        switch code {
        case .badRequest: 400
        case .forbidden: 403
        case .notFound: 404
        }
    }

    public var description: String { message }
}
