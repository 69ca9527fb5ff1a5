/// A master's `host:port`, parsed from the configuration or a `Location` header.
public struct MasterAddress: Hashable, Sendable, CustomStringConvertible {
    /// Mesos's default master port.
    public static let defaultPort = 5050

    public let host: String
    public let port: Int

    /// Parses `host:port`, `host` (port 5050) or `[v6]:port`.
    public init?(_ text: String) {
        let text = text.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                port = Self.defaultPort
            } else {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()), (1...65535).contains(value)
                else {
                    return nil
                }
                port = value
            }
        } else if let colon = text.lastIndex(of: ":") {
            guard let value = Int(text[text.index(after: colon)...]), (1...65535).contains(value) else {
                return nil
            }
            host = String(text[..<colon])
            port = value
        } else {
            host = text
            port = Self.defaultPort
        }
        guard !host.isEmpty else { return nil }
    }

    /// Parses a redirect target: `http://host:port/api/v1/scheduler`, `//host:port/...`
    /// or `host:port`.
    public init?(location: String) {
        var rest = Substring(location.trimmingWhitespace())
        for scheme in ["http://", "https://", "//"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            break
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        self.init(String(rest))
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

/// The `http://` or `https://` a master's address may start with.
public enum MasterScheme {
    /// The scheme `text` starts with ("http" or "https", in any case; nil when none), and the
    /// address after it without a trailing "/".
    public static func split(_ text: some StringProtocol) -> (scheme: String?, address: String) {
        var rest = Substring(text)
        for scheme in ["http", "https"] where rest.lowercased().hasPrefix("\(scheme)://") {
            rest = rest.dropFirst(scheme.count + 3)
            if rest.hasSuffix("/") { rest = rest.dropLast() }
            return (scheme, String(rest))
        }
        return (nil, String(rest))
    }
}
