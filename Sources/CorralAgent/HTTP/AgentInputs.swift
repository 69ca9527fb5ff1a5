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
}
