/// Why bytes could not be decoded into a Raft value. Decoding untrusted bytes throws this;
/// it never traps.
public struct RaftCodecError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What kind of failure this is.
    public enum Code: Sendable, Hashable {
        /// The input ended in the middle of a value.
        case truncated
        /// A tag byte names no known case.
        case unknownTag
        /// A value is out of range or malformed (e.g. a varint too long, a bool not 0/1).
        case invalidValue
        /// The format version is not one this build reads.
        case unsupportedVersion
        /// Bytes were left over after the value.
        case trailingBytes
    }

    /// The kind of failure.
    public var code: Code
    /// What was being decoded, e.g. `decode Message: MessageBody tag`.
    public var operation: String
    /// Where in the input it failed.
    public var offset: Int
    /// Why it failed.
    public var message: String

    /// An error with every field given.
    public init(code: Code, operation: String, offset: Int, message: String) {
        self.code = code
        self.operation = operation
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "CorralRaft codec: \(operation) failed at byte \(offset): \(message)"
    }
}
