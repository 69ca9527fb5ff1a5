/// Why a protobuf body or record could not be converted, with the underlying cause.
public struct ProtobufError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of conversion failed.
    public enum Code: String, Sendable, Equatable {
        /// The bytes are not a valid encoding of the expected message.
        case malformedProtobuf
        /// The message decoded, but its content does not fit Corral's type (a missing or
        /// mistyped field).
        case invalidContent
        /// A Corral value could not be written as the message (a bug: the `.proto` and the
        /// Codable type disagree).
        case encodingFailed
    }

    /// What kind of conversion failed.
    public let code: Code
    /// What failed and what to do, in one line.
    public let message: String
    /// The underlying error, when there is one.
    public let cause: String?

    /// Makes an error.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message: cause`.
    public var description: String {
        if let cause { return "\(code.rawValue): \(message): \(cause)" }
        return "\(code.rawValue): \(message)"
    }
}
