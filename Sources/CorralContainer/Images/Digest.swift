/// A validated `sha256:<64 hex>` content digest.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 64 lowercase hex characters after `sha256:`.
    public let hex: String

    /// Parses `sha256:<64 lowercase hex>`; any other algorithm or form is refused.
    public init(parsing text: String) throws(ContainerError) {
        let prefix = "sha256:"
        guard text.hasPrefix(prefix) else {
            throw ContainerError(.malformed, "digest '\(text)' is not a sha256 digest")
        }
        let hex = String(text.dropFirst(prefix.count))
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else {
            throw ContainerError(.malformed, "digest '\(text)' is not 64 lowercase hex characters")
        }
        self.hex = hex
    }

    /// A digest from hex already known to be valid (computed by this module).
    init(hex: String) { self.hex = hex }

    /// `sha256:<hex>`.
    public var description: String { "sha256:" + hex }

    /// The first 12 hex characters, as `image ls` shows.
    public var short: String { String(hex.prefix(12)) }

    /// Decodes from a JSON string.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Digest(parsing: text)
    }

    /// Encodes as a JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
