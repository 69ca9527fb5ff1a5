import CorralRaft
import CorralStore

/// The one error type of CorralReplication: which operation failed, and why.
public struct ReplicationError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public enum Code: Sendable, Hashable {
        /// The LMDB store failed; `underlying` is the `StoreError`.
        case store
        /// Stored bytes did not decode, or contradict each other: the log is damaged.
        case corrupted
        /// This node does not lead; `leader` and `leaderAddress` say who does, if known.
        case notLeader
        /// The request cannot be served now (no leader, transfer, overload, node stopped). For
        /// a proposal this always means "not applied": it never reached the log, or the entry
        /// committed at its index belongs to another term.
        case unavailable
        /// A proposal was appended to this node's log, but whether it was committed is not
        /// known: the node lost office (or stopped) and did not learn the outcome within
        /// `RaftServerOptions.outcomeWait`. The command may or may not take effect; read the
        /// state before retrying.
        case outcomeUnknown
        /// The command is larger than one entry may be (it could not fit in one transport
        /// frame); it was refused before reaching the log.
        case tooLarge
        /// The request itself is wrong.
        case invalidRequest
    }

    /// The kind of failure.
    public var code: Code
    /// The operation that failed, e.g. `LMDBRaftLogStorage.write`.
    public var operation: String
    /// Why it failed.
    public var message: String
    /// The lower-level error, if any (`StoreError`, `RaftCodecError`).
    public var underlying: (any Error)?
    /// With `.notLeader`: who leads (0 if nobody known) and where it listens.
    public var leader: UInt64 = 0
    public var leaderAddress: PeerAddress?

    /// An error with every field given.
    public init(code: Code, operation: String, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.operation = operation
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        "CorralReplication: \(operation) failed: \(message)"
    }
}

extension ReplicationError {
    /// This node does not lead; the caller should retry on `leader`.
    public static func notLeader(leader: UInt64, address: PeerAddress?) -> ReplicationError {
        var error = ReplicationError(
            code: .notLeader, operation: "propose",
            message: leader == 0 ? "no leader is known yet; retry shortly" : "node \(leader) leads\(address.map { " at \($0)" } ?? "")")
        error.leader = leader
        error.leaderAddress = address
        return error
    }

    /// Runs `body`, wrapping a `StoreError` or `RaftCodecError` it throws so the result names
    /// `operation` and keeps the cause; other errors pass through unchanged.
    @discardableResult
    static func wrapping<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            let code: Code = error.code == .corrupted ? .corrupted : .store
            throw ReplicationError(code: code, operation: operation, message: error.description, underlying: error)
        } catch let error as RaftCodecError {
            throw ReplicationError(code: .corrupted, operation: operation, message: error.description, underlying: error)
        }
    }
}
