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
    }

    /// The kind of failure.
    public var code: Code
    /// The operation that failed, e.g. `LMDBRaftLogStorage.write`.
    public var operation: String
    /// Why it failed.
    public var message: String
    /// The lower-level error, if any (`StoreError`, `RaftCodecError`).
    public var underlying: (any Error)?

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
