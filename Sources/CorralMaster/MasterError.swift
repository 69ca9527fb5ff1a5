/// The one error type of CorralMaster: what failed, why, and what to do.
public struct MasterError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Hashable {
        case badConfig
        case identityMismatch
        case startup
        case request
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
