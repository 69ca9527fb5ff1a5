import CorralContainer

/// A repository name the distribution spec allows: path components matching
/// `[a-z0-9]+([._-][a-z0-9]+)*` joined by `/`, under 256 characters in all. Such a name can
/// never hold `..`, an empty component or a leading `/`, so it is safe as a relative path.
public struct RepositoryName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The name as written, e.g. `library/alpine`.
    public let value: String

    /// Validates `text`, throwing `NAME_INVALID` with the rule it broke.
    public init(_ text: String) throws(RegistryError) {
        guard !text.isEmpty, text.utf8.count < 256 else {
            throw RegistryError(.nameInvalid, "repository name must be 1 to 255 characters long", detail: ["name": text])
        }
        for component in text.split(separator: "/", omittingEmptySubsequences: false) {
            guard Self.isComponent(Substring(component)) else {
                throw RegistryError(
                    .nameInvalid,
                    "repository name '\(text)' is invalid: each '/'-separated part must be lowercase letters and digits, "
                        + "separated by single '.', '_' or '-' (the spec's [a-z0-9]+([._-][a-z0-9]+)*)",
                    detail: ["name": text]
                )
            }
        }
        value = text
    }

    /// `[a-z0-9]+([._-][a-z0-9]+)*`.
    private static func isComponent(_ component: Substring) -> Bool {
        var previousWasSeparator = true
        for byte in component.utf8 {
            let alphanumeric = (97...122).contains(byte) || (48...57).contains(byte)
            if alphanumeric {
                previousWasSeparator = false
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") {
                if previousWasSeparator { return false }
                previousWasSeparator = true
            } else {
                return false
            }
        }
        return !component.isEmpty && !previousWasSeparator
    }

    public var description: String { value }
    public static func < (lhs: RepositoryName, rhs: RepositoryName) -> Bool { lhs.value < rhs.value }
}

/// What a manifest URL names: a tag or a digest.
public enum ManifestReference: Hashable, Sendable, CustomStringConvertible {
    case tag(String)
    case digest(Digest)

    /// A digest when `text` contains `:`, else a tag matching `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
    public init(_ text: String) throws(RegistryError) {
        if text.contains(":") {
            self = .digest(try parseDigest(text))
            return
        }
        guard Self.isTag(text) else {
            throw RegistryError(
                .tagInvalid,
                "tag '\(text)' is invalid: it must match [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}",
                detail: ["tag": text]
            )
        }
        self = .tag(text)
    }

    /// Whether `text` is a valid tag; a tag never equals `.` or `..` (it cannot start with `.`).
    static func isTag(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        func word(_ byte: UInt8) -> Bool {
            (97...122).contains(byte) || (65...90).contains(byte) || (48...57).contains(byte) || byte == UInt8(ascii: "_")
        }
        guard word(first) else { return false }
        return bytes.dropFirst().allSatisfy { word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    public var description: String {
        switch self {
        case .tag(let tag): tag
        case .digest(let digest): digest.description
        }
    }
}

/// Parses a `sha256:<hex>` digest, answering `DIGEST_INVALID` (or `UNSUPPORTED` for another
/// algorithm) when it is not one.
func parseDigest(_ text: String) throws(RegistryError) -> Digest {
    if let colon = text.firstIndex(of: ":"), text[..<colon] != "sha256" {
        throw RegistryError(
            .unsupported, "digest algorithm '\(text[..<colon])' is not supported; use sha256", detail: ["digest": text],
            status: 400)
    }
    do {
        return try Digest(parsing: text)
    } catch {
        throw RegistryError(.digestInvalid, "digest '\(text)' is not sha256:<64 lowercase hex>", detail: ["digest": text])
    }
}
