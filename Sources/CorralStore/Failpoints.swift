import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's failpoints: the sites the code passes through, and the failpoints armed at
/// them. Unarmed (the normal case), passing a site costs one relaxed atomic load.
public enum Failpoints {
    /// The environment variable the `corral` binary reads its failpoints from.
    public static let variable = "CORRAL_FAILPOINTS"

    /// Every site, with where it is.
    public static let sites: [String: String] = [
        lmdbCommit: "every LMDB write transaction, just before its commit (which writes and fsyncs)",
        raftFsync: "the Raft log's durable write (entries and hard state), inside its transaction, before the commit",
        raftSnapshotWrite: "storing a Raft snapshot in the log's environment, inside its transaction",
        agentStreamDesync:
            "an agent's stream from the leader, at each SUBSCRIBED of a newer term than the last one there: a record an older term's stream from another master carried is delivered after it (a middlebox mixing up its upstream connections)",
    ]
    /// The sites whose action is `trigger`: they do a fault of their own when one fires.
    public static let triggerSites: Set<String> = [agentStreamDesync]
    /// Every LMDB write transaction, just before `mdb_txn_commit`.
    public static let lmdbCommit = "lmdb.commit"
    /// The Raft log's durable write of entries and hard state.
    public static let raftFsync = "raft.fsync"
    /// The Raft log storing a snapshot.
    public static let raftSnapshotWrite = "raft.snapshot.write"
    /// An agent's master stream replays an older term's record (`StreamDesync`).
    public static let agentStreamDesync = "agent.stream.desync"

    private struct Armed {
        var point: Failpoint
        var fired = 0
    }

    @usableFromInline static let armed = Atomic<Bool>(false)
    private static let table = Mutex<[Armed]>([])

    /// Arms `points` (added to those armed already).
    public static func arm(_ points: [Failpoint]) {
        table.withLock { table in
            table += points.map { Armed(point: $0) }
            armed.store(!table.isEmpty, ordering: .releasing)
        }
    }

    /// Disarms `points` (each one once, as armed).
    public static func disarm(_ points: [Failpoint]) {
        table.withLock { table in
            for point in points {
                if let index = table.firstIndex(where: { $0.point == point }) { table.remove(at: index) }
            }
            armed.store(!table.isEmpty, ordering: .releasing)
        }
    }

    /// The failpoints armed now.
    public static var current: [Failpoint] { table.withLock { $0.map(\.point) } }

    /// Arms what `CORRAL_FAILPOINTS` says, if it is set; returns what was armed.
    @discardableResult
    public static func armFromEnvironment() throws(FailpointError) -> [Failpoint] {
        guard let value = getenv(variable) else { return [] }
        let points = try Failpoint.parse(String(cString: value))
        arm(points)
        return points
    }

    /// Passes site `name` for the store in directory `path`: sleeps, throws or aborts when an
    /// armed failpoint there fires, returns at once otherwise.
    @inlinable
    public static func pass(_ name: String, path: String) throws(StoreError) {
        guard armed.load(ordering: .relaxed) else { return }
        try fire(name, path: path)
    }

    /// Whether any failpoint is armed (one relaxed atomic load).
    public static var isArmed: Bool { armed.load(ordering: .relaxed) }

    /// Whether a `trigger` failpoint at site `name` fires on this pass (false at once when
    /// none is armed).
    public static func fires(_ name: String) -> Bool {
        guard armed.load(ordering: .relaxed) else { return false }
        return firing(name, path: "")?.action == .trigger
    }

    /// The failpoint at `name` that fires on this pass, if any (counted as fired).
    private static func firing(_ name: String, path: String) -> Failpoint? {
        table.withLock { table -> Failpoint? in
            for index in table.indices {
                let point = table[index].point
                guard point.name == name, point.pathPrefix.map({ path.hasPrefix($0) }) ?? true,
                    table[index].fired < point.count ?? .max,
                    point.probability >= 1 || Double.random(in: 0..<1) < point.probability
                else { continue }
                table[index].fired += 1
                return point
            }
            return nil
        }
    }

    @usableFromInline
    static func fire(_ name: String, path: String) throws(StoreError) {
        let firing = firing(name, path: path)
        guard let firing else { return }
        switch firing.action {
        case .sleep(let duration):
            let (seconds, attos) = duration.components
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attos / 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
        case .error(let code):
            throw StoreError(
                code: .system(code), operation: "\(name)(\(path))",
                message: "\(StoreError.lmdbMessage(code)) (injected by the failpoint \(firing) from \(variable))", returnCode: code)
        case .trigger:
            return
        case .abort:
            let message = "corral: aborting at the failpoint \(firing) from \(variable)\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            abort()
        }
    }
}
