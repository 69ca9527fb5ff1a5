import CorralMaster
import CorralModel
import Foundation

/// A task's sandbox on its agent, read through the agent's `/files/read`.
struct Sandbox: Sendable {
    /// The agent's `host:port`.
    var agent: String
    /// The sandbox directory, as the agent's `/state` names it.
    var directory: String

    /// The bytes of `file` (`stdout`, `stderr`) from `offset` on, and the offset after them.
    /// A file not written yet reads as empty.
    func read(_ file: String, from offset: Int, client: MasterClient) throws(ClusterError) -> (text: String, next: Int) {
        var text = ""
        var next = offset
        while true {
            let path = "/files/read?path=\(ClusterConnection.escape("\(directory)/\(file)"))&offset=\(next)&length=\(1 << 20)"
            let response: MasterClient.Response
            do {
                response = try client.request("GET", agent, path)
            } catch {
                throw ClusterError("cannot read \(file) from agent \(agent): \(error.message)")
            }
            if response.status == 404 { return (text, next) }
            guard response.status == 200, let chunk = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)) else {
                throw ClusterError("agent \(agent) answered \(response.status) to /files/read of \(file): \(ClusterConnection.message(response))")
            }
            let data = chunk["data"]?.text ?? ""
            guard !data.isEmpty else { return (text, next) }
            text += data
            next = Int(chunk["offset"]?.double ?? Double(next)) + data.utf8.count
        }
    }
}
