import CorralMaster
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The part of the leader's `GET /master/state` the task checkers read.
public struct MasterStateView: Sendable, Hashable, Decodable {
    public struct Amounts: Sendable, Hashable, Codable {
        public var cpus: Double?
        public var mem: Double?
        public init(cpus: Double?, mem: Double?) {
            self.cpus = cpus
            self.mem = mem
        }
    }

    public struct Agent: Sendable, Hashable, Decodable {
        public var id: String
        public var hostname: String
        public var active: Bool?
        public var resources: Amounts
        public var usedResources: Amounts
    }

    public struct Task: Sendable, Hashable, Decodable {
        public var id: String
        public var frameworkId: String
        public var slaveId: String
        public var state: String
        public init(id: String, frameworkId: String, slaveId: String, state: String) {
            self.id = id
            self.frameworkId = frameworkId
            self.slaveId = slaveId
            self.state = state
        }
    }

    public struct Framework: Sendable, Hashable, Decodable {
        public var id: String
        public var name: String
        public var connected: Bool?
        public var tasks: [Task]?
        public var unreachableTasks: [Task]?
        public var completedTasks: [Task]?
    }

    public var slaves: [Agent]
    public var frameworks: [Framework]
    public var completedFrameworks: [Framework]?

    /// Every task the registry lists, live, unreachable or completed.
    public var allTasks: [Task] {
        (frameworks + (completedFrameworks ?? [])).flatMap { ($0.tasks ?? []) + ($0.unreachableTasks ?? []) + ($0.completedTasks ?? []) }
    }

    public static func decode(_ body: [UInt8]) throws -> MasterStateView {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(MasterStateView.self, from: Data(body))
    }
}

/// One poll of the leader's state: who answered, which agents were attached to it with what
/// allocated, and which frameworks were connected.
public struct StateSample: Sendable, Hashable, Codable {
    public struct AgentLine: Sendable, Hashable, Codable {
        public var hostname: String
        public var active: Bool
        public var total: MasterStateView.Amounts
        public var used: MasterStateView.Amounts
        public init(hostname: String, active: Bool, total: MasterStateView.Amounts, used: MasterStateView.Amounts) {
            self.hostname = hostname
            self.active = active
            self.total = total
            self.used = used
        }
    }

    public var nanos: UInt64
    /// The master that answered (the leader: a follower redirects).
    public var master: UInt64
    public var agents: [AgentLine]
    /// The names of the frameworks connected to it.
    public var connected: [String]

    public init(nanos: UInt64, master: UInt64, agents: [AgentLine], connected: [String]) {
        self.nanos = nanos
        self.master = master
        self.agents = agents
        self.connected = connected
    }
}

/// Polls the leader's `GET /master/state` every 100 ms (following its redirect) for the
/// allocation and re-attach checks.
public final class ClusterStateWatch: Sendable {
    private let samples = Mutex<[StateSample]>([])
    private let stopped = Atomic<Bool>(false)
    private let group = DispatchGroup()

    public init(cluster: ChaosCluster, clock: @escaping @Sendable () -> UInt64) {
        group.enter()
        let thread = Thread { [self] in
            defer { group.leave() }
            let endpoints = cluster.members.map(\.http)
            var target = 0
            let client = MasterClient(timeoutSeconds: 1)
            while !stopped.load(ordering: .relaxed) {
                let endpoint = endpoints[target % endpoints.count]
                if let response = try? client.once("GET", endpoint, "/master/state") {
                    if response.status == 200, let state = try? MasterStateView.decode(response.body) {
                        let sample = StateSample(
                            nanos: clock(), master: UInt64(target % endpoints.count + 1),
                            agents: state.slaves.map {
                                .init(hostname: $0.hostname, active: $0.active ?? false, total: $0.resources, used: $0.usedResources)
                            },
                            connected: state.frameworks.filter { $0.connected ?? false }.map(\.name))
                        samples.withLock { $0.append(sample) }
                    } else if let location = response.headers["location"], let url = URLComponents(string: location),
                        let host = url.host, let port = url.port, let index = endpoints.firstIndex(of: "\(host):\(port)")
                    {
                        target = index
                        continue
                    } else {
                        target += 1
                    }
                } else {
                    target += 1
                }
                usleep(100_000)
            }
        }
        thread.name = "state-watch"
        thread.start()
    }

    /// Stops polling and returns every sample, in time order.
    public func stop() -> [StateSample] {
        stopped.store(true, ordering: .relaxed)
        group.wait()
        return samples.withLock { $0 }
    }

    /// The leader's state now (following redirects), retried for up to `seconds`.
    public static func finalState(_ cluster: ChaosCluster, seconds: Double = 10) -> MasterStateView? {
        let deadline = Date().addingTimeInterval(seconds)
        let client = MasterClient(timeoutSeconds: 3)
        repeat {
            for endpoint in cluster.members.map(\.http) {
                if let response = try? client.request("GET", endpoint, "/master/state"), response.status == 200,
                    let state = try? MasterStateView.decode(response.body)
                {
                    return state
                }
            }
            usleep(200_000)
        } while Date() < deadline
        return nil
    }
}
