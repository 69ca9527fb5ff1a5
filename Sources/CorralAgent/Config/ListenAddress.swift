/// Where the agent's HTTP server listens: `host:port`, `[v6]:port`; port 0 lets the system
/// choose (tests use `127.0.0.1:0`).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// mesos-agent's default: every interface, port 5051.
    public static let `default` = ListenAddress(host: "0.0.0.0", port: 5051)

    public var host: String
    public var port: Int

    /// Makes an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[v6]:port`; nil when the port is missing or not in 0...65535.
    public init?(_ text: String) {
        let text = Substring(text).trimmed
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = text[..<colon]
        if host.first == "[" {
            guard host.last == "]" else { return nil }
            host = host.dropFirst().dropLast()
        }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { return nil }
        self.init(host: String(host), port: port)
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
