/// A fault injected at a named place in the code (a failpoint), for chaos tests: the `corral`
/// binary reads them from the `CORRAL_FAILPOINTS` environment variable at start-up (see
/// `Failpoints` and `Failpoint.parse`); none is set unless that variable is.
public struct Failpoint: Sendable, Hashable, CustomStringConvertible {
    /// What happens when the failpoint fires.
    public enum Action: Sendable, Hashable, CustomStringConvertible {
        /// The calling thread sleeps this long, then goes on as if nothing happened (a slow
        /// disk: the commit, and so the fsync behind it, takes this much longer).
        case sleep(Duration)
        /// The operation fails with this errno (e.g. `ENOSPC`): the write transaction is
        /// aborted, nothing of it is written, and a `StoreError` with code `.system(errno)`
        /// that names the failpoint is thrown.
        case error(Int32)
        /// The process aborts (SIGABRT) at this point: a crash in the middle of a write.
        case abort
        /// The site's own fault happens (see `Failpoints.sites`); only for the sites in
        /// `Failpoints.triggerSites`, which take no other action.
        case trigger

        public var description: String {
            switch self {
            case .sleep(let duration):
                let (seconds, attos) = duration.components
                let micros = seconds * 1_000_000 + attos / 1_000_000_000_000
                return micros % 1000 == 0 ? "sleep(\(micros / 1000)ms)" : "sleep(\(micros)us)"
            case .error(let code): return "error(\(Failpoint.errnoName(code)))"
            case .abort: return "abort"
            case .trigger: return "trigger"
            }
        }
    }

    /// The place: one of `Failpoints.sites`.
    public var name: String
    public var action: Action
    /// The chance (0 < p ≤ 1) that one pass through the place fires the failpoint.
    public var probability: Double
    /// The most times it fires; nil: no limit.
    public var count: Int?
    /// Only passes for a store whose directory starts with this path fire it; nil: every store.
    public var pathPrefix: String?

    public init(name: String, action: Action, probability: Double = 1, count: Int? = nil, pathPrefix: String? = nil) {
        self.name = name
        self.action = action
        self.probability = probability
        self.count = count
        self.pathPrefix = pathPrefix
    }

    /// The failpoint in the grammar `Failpoint.parse` reads.
    public var description: String {
        var options: [String] = []
        if probability < 1 { options.append("p=\(probability)") }
        if let count { options.append("count=\(count)") }
        if let pathPrefix { options.append("path=\(pathPrefix)") }
        return "\(name)=\(action)" + (options.isEmpty ? "" : "@" + options.joined(separator: ","))
    }

    /// The errno names the grammar accepts besides numbers.
    public static let errnoNames: [String: Int32] = [
        "EIO": 5, "ENOMEM": 12, "ENOSPC": 28, "EROFS": 30, "EDQUOT": 122,
    ]

    static func errnoName(_ code: Int32) -> String {
        errnoNames.first { $0.value == code }?.key ?? "\(code)"
    }
}
