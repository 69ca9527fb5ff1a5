import Foundation

/// The two encodings of Mesos v1 API messages, and how a request picks them: the body's
/// from its `Content-Type`, the answer's from `Accept` (as a Mesos master does).
public enum MessageFormat: String, Sendable, Equatable, CaseIterable {
    /// `application/json`: Mesos's JSON form of the messages.
    case json = "application/json"
    /// `application/x-protobuf`: the serialized messages of `Protos/`.
    case protobuf = "application/x-protobuf"

    /// The media type that names this format.
    public var mediaType: String { rawValue }

    /// The request body's format from its `Content-Type`: absent means JSON, as Corral always
    /// took it; nil for any other media type.
    public static func body(contentType: String?) -> MessageFormat? {
        guard let type = mediaTypes(contentType).first else { return .json }
        return MessageFormat(rawValue: type)
    }

    /// The answer's format from an `Accept` header: JSON when the client takes it (or any
    /// type, or sent no `Accept`), else protobuf when it names it; nil when it takes neither.
    /// JSON goes first, as in Mesos's master.
    public static func answer(accept: String?) -> MessageFormat? {
        let types = mediaTypes(accept)
        if types.isEmpty || types.contains(where: { ["application/json", "*/*", "application/*"].contains($0) }) {
            return .json
        }
        return types.contains(MessageFormat.protobuf.rawValue) ? .protobuf : nil
    }

    /// Whether an `Accept` header names `mediaType` itself (not through a wildcard).
    public static func names(_ mediaType: String, in accept: String?) -> Bool {
        mediaTypes(accept).contains(mediaType)
    }

    /// The media types of a header, lowercased, without parameters; a type with `q=0` is
    /// refused by the client and left out.
    static func mediaTypes(_ header: String?) -> [String] {
        guard let header else { return [] }
        // The common case, one type and no parameters (`application/json`), without Foundation's trimming.
        if !header.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") }) {
            let type = trimmed(Substring(header)).lowercased()
            return type.isEmpty ? [] : [type]
        }
        return header.split(separator: ",").compactMap { item in
            let parts = item.split(separator: ";").map { trimmed($0).lowercased() }
            guard let type = parts.first, !type.isEmpty else { return nil }
            let refused = parts.dropFirst().contains { parameter in
                parameter.hasPrefix("q=") && Double(parameter.dropFirst(2)) == 0
            }
            return refused ? nil : type
        }
    }

    /// `text` without leading and trailing spaces and tabs (the whitespace HTTP allows around values).
    private static func trimmed(_ text: Substring) -> Substring {
        let isSpace = { (character: Character) in character == " " || character == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return text[first...last]
    }
}
