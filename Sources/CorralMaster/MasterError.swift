import CorralReplication

/// The one error type of CorralMaster: what failed, why, and what to do.
public struct MasterError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Hashable {
        case badConfig
        case identityMismatch
        /// The data directory is damaged or part of it is missing (a wiped Raft log, a lost
        /// state store): the member must be replaced, never restarted as if new.
        case damagedData
        /// A fresh data directory was given neither `--bootstrap` nor `--join`.
        case notInitialized
        case startup
        /// The request is malformed or not allowed (HTTP 400).
        case request
        /// This master does not lead (HTTP 307 to the leader, or 503 with none known).
        case notLeader
        /// Not applied, retry: the leader is not ready yet (still catching up after its
        /// election), or a write never reached the log or lost to another leader's (HTTP 503).
        case unavailable
        /// A write reached the leader's log, but the leader lost office (or stopped) before it
        /// learned whether it was committed: it may or may not take effect (HTTP 504 with
        /// `"outcome": "unknown"`). Read the state before retrying.
        case outcomeUnknown
        /// The request is larger than one replicated command may be (HTTP 413).
        case tooLarge
        /// The caller is not subscribed, or its stream ID does not match (HTTP 403).
        case forbidden
        /// The request names something that does not exist (HTTP 404).
        case notFound
        /// The request is good but the state does not allow it now: the resources to reserve
        /// or unreserve are not free (HTTP 409).
        case conflict
        /// A client could not connect to a master: nothing was sent, so nothing was applied.
        case unreachable
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    public init(code: Code, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        underlying.map { "\(message): \($0)" } ?? message
    }
}

extension MasterError {
    /// What became of a write whose proposal threw `error`: `.notLeader` (307), `.outcomeUnknown`
    /// (504), `.tooLarge` (413), or not applied (`.unavailable`, 503). `what` names the write
    /// ("the registration").
    public static func committing(_ what: String, _ error: any Error) -> MasterError {
        guard let error = error as? ReplicationError else {
            return MasterError(code: .unavailable, message: "\(what) was not committed; retry", underlying: error)
        }
        switch error.code {
        case .notLeader:
            return MasterError(code: .notLeader, message: "leadership changed; retry on the leader", underlying: error)
        case .outcomeUnknown:
            return MasterError(
                code: .outcomeUnknown,
                message: "\(what) may or may not have been committed: leadership changed before its outcome was known; read the state before retrying",
                underlying: error)
        case .tooLarge:
            return MasterError(code: .tooLarge, message: error.message, underlying: error)
        case .invalidRequest:
            return MasterError(code: .request, message: error.message, underlying: error)
        case .store, .corrupted, .unavailable:
            return MasterError(code: .unavailable, message: "\(what) was not committed; retry", underlying: error)
        }
    }

    /// What a linearizable read that threw `error` answers: `.notLeader` (307) when this
    /// master does not lead, otherwise `.unavailable` (503): it could not confirm with a
    /// quorum that it still leads, so it does not answer from its own copy.
    public static func reading(_ error: any Error) -> MasterError {
        if let error = error as? ReplicationError, error.code == .notLeader {
            return MasterError(code: .notLeader, message: "this master is not the leader", underlying: error)
        }
        return MasterError(
            code: .unavailable, message: "the leader could not confirm with a quorum that it still leads; retry shortly", underlying: error)
    }
}
