/// The agent's parsers of request bodies, opened to the fuzz harness (`corral fuzz`).
public enum AgentInputs {
    /// Decodes an agent operator API call (`POST /api/v1`) as the agent does; returns the
    /// refusal it would answer with, or nil when the call decodes.
    public static func decodeOperatorCall(_ bytes: [UInt8]) -> String? {
        switch AgentHTTP.decodeCall(bytes) {
        case .success: return nil
        case .failure(let problem): return problem.message
        }
    }

    /// Answers a `/files` request (`uri`: path and query, e.g. `/files/read?path=…`) over
    /// the sandboxes of `files`, as the agent would; returns the status and, for a file or
    /// listing served, the real paths it came from, so a caller can check that every one lies
    /// inside an attached sandbox.
    public static func filesRequest(_ uri: String, files: SandboxFiles) -> (status: Int, served: [String]) {
        let request = AgentHTTPRequest(uri: uri)
        let path = request.path
        let answer: AgentHTTPResponse
        switch path {
        case "/files/browse", "/files/browse.json": answer = AgentHTTP.browse(request, files: files)
        case "/files/read", "/files/read.json": answer = AgentHTTP.read(request, files: files)
        case "/files/download", "/files/download.json": answer = AgentHTTP.download(request, files: files)
        default: return (404, [])
        }
        guard answer.status == 200, let asked = request.query["path"], let opened = try? files.open(asked) else {
            return (answer.status, [])
        }
        if case .file(let file) = answer.body { return (200, [file.path]) }
        return (200, [opened.path])
    }
}
