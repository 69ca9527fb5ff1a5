import CorralModel
import CorralReplication
import CorralScheduler
import Foundation
import Hummingbird

extension MasterHTTP {
    /// Set on a files request one master forwards to the leader, so it is forwarded once only.
    static let forwardedHeader = "X-Corral-Forwarded"

    /// `GET /ui/api/files/browse|read?agent_id=&path=[&offset=&length=]`: the agent's `/files`
    /// answer for a path in a sandbox. The leader finds the agent's address (where its
    /// connection came from); another master forwards the request to the leader.
    func dashboardFiles(_ request: Request, operation: String) async -> Response {
        guard operation == "browse" || operation == "read" else {
            return problem(.notFound, "the dashboard's files endpoints are /ui/api/files/browse and /ui/api/files/read")
        }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        guard let agentID = query["agent_id"], !agentID.isEmpty, let path = query["path"], !path.isEmpty else {
            return problem(.badRequest, "expecting agent_id= and path= in the query (a task's agent and a path in its sandbox)")
        }
        let snapshot: OperatorSnapshot
        do {
            snapshot = try await master.leader.operatorSnapshot()
        } catch {
            guard error.code == .notLeader, !request.headers.contains(where: { $0.name.canonicalName == Self.forwardedHeader.lowercased() }),
                let leader = await leaderAddress()
            else { return problem(.serviceUnavailable, "no leader is ready to find the agent; retry shortly") }
            let forwarded = HTTPStreamRequest(
                path: "/ui/api/files/\(operation)?\(request.uri.query ?? "")", headers: [Self.forwardedHeader: "1"])
            return await forward(forwarded, to: leader, what: "the leader")
        }
        guard let agent = snapshot.registry.agents[AgentID(agentID)] else {
            return problem(.notFound, "no agent \(agentID) is known to the cluster")
        }
        let pid = snapshot.agentPID(agent)
        guard let at = pid.firstIndex(of: "@"), let address = PeerAddress(String(pid[pid.index(after: at)...])) else {
            return problem(.badGateway, "agent \(agentID) has no usable address (\(pid))")
        }
        var agentQuery = "path=\(Self.escape(path))"
        for key in ["offset", "length"] {
            if let value = query[key], let number = Int(value) { agentQuery += "&\(key)=\(number)" }
        }
        return await forward(HTTPStreamRequest(path: "/files/\(operation)?\(agentQuery)"), to: address, what: "agent \(agentID)")
    }

    /// Percent-encodes a query value.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? text
    }
}
