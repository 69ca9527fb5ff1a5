/// The one error type of CorralMaster: what failed, why, and what to do.
public struct MasterError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Hashable {
        case badConfig
        case identityMismatch
        case startup
        /// The request is malformed or not allowed (HTTP 400).
        case request
        /// This master does not lead (HTTP 307 to the leader, or 503 with none known).
        case notLeader
        /// The leader is not ready yet, e.g. still catching up after its election (HTTP 503).
        case unavailable
        /// The caller is not subscribed, or its stream ID does not match (HTTP 403).
        case forbidden
        /// The request names something that does not exist (HTTP 404).
        case notFound
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
