import CorralMaster
import CorralModel
import CorralScheduler
import CorralSecurity
import Foundation
import Synchronization

/// Follows the cluster for `corral events`: finds the leader by asking every master for its
/// `/quorum/status`, reads the leader's operator SUBSCRIBE stream, and when the stream ends
/// or another master is elected, finds the leader again and subscribes there. Runs until
/// cancelled.
final class EventsFollower: Sendable {
    /// The masters to ask; grows with the members the masters name.
    let masters: Mutex<[String]>
    let emit: @Sendable ([ClusterEvent]) -> Void
    private let client: HTTPStreamClient
    /// TLS for HTTPS masters; nil: plain HTTP.
    private let tls: TLSIdentity?
    /// Why the last master that refused TLS (or spoke it to a plain client) did, for the "no leader" line.
    private let refusal = Mutex<String?>(nil)

    /// The `Authorization` header of every request; nil: none.
    let authorization: String?

    init(masters: [String], tls: TLSIdentity? = nil, authorization: String? = nil, emit: @escaping @Sendable ([ClusterEvent]) -> Void) {
        self.masters = Mutex(masters)
        self.authorization = authorization
        self.emit = emit
        self.tls = tls
        client = HTTPStreamClient(connectTimeout: .seconds(1), readTimeout: .seconds(3), tls: tls)
    }

    /// The leader one master names about itself: its id, HTTP address and term.
    struct Leader: Sendable, Equatable {
        var id: UInt64
        var address: String
        var term: UInt64
    }

    /// `request` with, given credentials, their `Authorization` header.
    private func authorized(_ request: HTTPStreamRequest) -> HTTPStreamRequest {
        var request = request
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        return request
    }

    func run() async {
        var tracker = ClusterEventTracker()
        while !Task.isCancelled {
            guard let leader = await findLeader() else {
                let why = refusal.withLock { $0 }.map { ": \($0)" } ?? ""
                emit(tracker.noLeader("no master leads (or none answers) at \(masters.withLock { $0 }.joined(separator: ", "))\(why)"))
                try? await Task.sleep(for: .milliseconds(500))
                continue
            }
            emit(tracker.leader(id: leader.id, address: leader.address, term: leader.term))
            await follow(leader, &tracker)
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Asks every master at once; the one that says it leads, in the highest term.
    func findLeader() async -> Leader? {
        let endpoints = masters.withLock { $0 }
        let statuses = await withTaskGroup(of: QuorumStatus?.self) { group in
            for endpoint in endpoints {
                group.addTask {
                    guard let (host, port) = Self.split(endpoint) else { return nil }
                    let answer: HTTPBufferedResponse
                    do {
                        answer = try await self.client.execute(self.authorized(.init(path: "/quorum/status")), host: host, port: port)
                    } catch let error as SchedulerError where error.isTLSFailure || error.message.contains("if it serves HTTPS") {
                        self.refusal.withLock { $0 = error.message }
                        return nil
                    } catch {
                        return nil
                    }
                    guard answer.status.code == 200 else { return nil }
                    return try? JSONDecoder().decode(QuorumStatus.self, from: Data(answer.body))
                }
            }
            return await group.reduce(into: [QuorumStatus]()) { if let status = $1 { $0.append(status) } }
        }
        let named = statuses.flatMap { $0.members.map(\.http) }
        masters.withLock { list in for address in named where !list.contains(address) { list.append(address) } }
        guard let leader = statuses.filter({ $0.raft.role == "leader" }).max(by: { $0.raft.term < $1.raft.term }),
            let member = leader.members.first(where: { $0.id == leader.raft.id })
        else { return nil }
        return Leader(id: leader.raft.id, address: member.http, term: leader.raft.term)
    }

    /// Reads the leader's SUBSCRIBE stream until it ends or another leader (or term) is found.
    private func follow(_ leader: Leader, _ tracker: inout ClusterEventTracker) async {
        guard let (host, port) = Self.split(leader.address) else { return }
        let request = authorized(HTTPStreamRequest(
            method: .POST, path: "/api/v1", headers: ["Content-Type": "application/json", "Accept": "application/json"],
            body: JSONValue.object(["type": "SUBSCRIBE"]).encoded))
        // The leader sends a heartbeat at least every 15 s by default.
        let streaming = HTTPStreamClient(connectTimeout: .seconds(1), readTimeout: .seconds(45), tls: tls)
        do {
            try await streaming.stream(request, host: host, port: port) { response in
                guard response.status.code == 200 else { return }
                let control = response.control
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .seconds(1))
                            if let now = await self.findLeader(), now != leader {
                                control.close()
                                return
                            }
                        }
                    }
                    var decoder = RecordIODecoder()
                    for try await chunk in response.body {
                        for record in try decoder.decode(chunk.readableBytesView) {
                            guard let event = try? JSONDecoder().decode(JSONValue.self, from: Data(record)) else { continue }
                            emit(tracker.record(event))
                        }
                    }
                    group.cancelAll()
                }
            }
        } catch {
            // The leader died, stepped down or another was found: find the leader again.
        }
    }

    /// `host:port` (after any `http://` or `https://`) as host and port.
    static func split(_ endpoint: String) -> (String, Int)? {
        let endpoint = MasterClient.split(endpoint, tls: nil).endpoint
        guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]) else { return nil }
        return (String(endpoint[..<colon]), port)
    }
}
