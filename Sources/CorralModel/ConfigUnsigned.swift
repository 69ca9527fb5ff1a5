/// A non-negative integer in a config file.
///
/// TOMLKit traps (ending the process) when it decodes a negative TOML integer into an
/// unsigned type (`node_id = -1`, found by `corral fuzz master-config`), so config files read
/// unsigned keys through this type: an `Int`, checked, with a decoding error naming the key.
public struct ConfigUnsigned: Decodable, Sendable, Hashable {
    /// The number.
    public var value: UInt64

    /// Decodes an integer; a negative one is a `DecodingError.dataCorrupted`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let number = try container.decode(Int.self)
        guard let value = UInt64(exactly: number) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must not be negative (got \(number))")
        }
        self.value = value
    }
}
