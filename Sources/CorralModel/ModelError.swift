/// The one error type of CorralModel: what could not be read or framed, and why.
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which kind of input was rejected.
    public enum Code: String, Sendable, Equatable {
        /// A JSON document did not match the Mesos v1 shape (a field missing or of the wrong type).
        case invalidJSON
        /// A `bytes` field was not valid base64.
        case invalidBase64
        /// A scalar was not finite or does not fit Mesos's fixed-point range.
        case invalidScalar
        /// A RecordIO length header was not a decimal number, or was too large.
        case invalidRecordLength
        /// A RecordIO stream ended in the middle of a record.
        case truncatedRecord
        /// A RecordIO decoder was used again after it had failed.
        case decoderFailed
    }

    /// Which kind of input was rejected.
    public let code: Code
    /// What was wrong, e.g. `length header "12a" is not a decimal number`.
    public let message: String
    /// The underlying cause (e.g. a `DecodingError`'s description), when there is one.
    public let cause: String?

    /// Makes an error from a code, a message and an optional cause.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `<code>: <message>[: <cause>]`.
    public var description: String {
        if let cause { return "\(code.rawValue): \(message): \(cause)" }
        return "\(code.rawValue): \(message)"
    }
}
