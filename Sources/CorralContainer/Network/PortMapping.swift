/// A host port published to a port of a bridged container, as `docker run -p` makes one.
public struct PortMapping: Codable, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The transport protocol.
    public enum Transport: String, Codable, Sendable, CaseIterable {
        case tcp, udp
    }

    public var hostPort: UInt16
    public var containerPort: UInt16
    public var transport: Transport

    public init(hostPort: UInt16, containerPort: UInt16, transport: Transport = .tcp) {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.transport = transport
    }

    /// Parses `HOSTPORT:CONTAINERPORT[/tcp|udp]`.
    public init(parsing text: String) throws {
        let (ports, transportName) = Self.split(text)
        let parts = ports.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let host = UInt16(parts[0]), let container = UInt16(parts[1]), host > 0, container > 0,
            let transport = Transport(rawValue: transportName.lowercased())
        else {
            throw ContainerError(
                .invalidArgument, stage: "port mapping '\(text)'",
                cause: "write it HOSTPORT:CONTAINERPORT[/tcp|udp], each port 1-65535 (for example 8080:80 or 5353:53/udp)")
        }
        self.init(hostPort: host, containerPort: container, transport: transport)
    }

    public var description: String { "\(hostPort):\(containerPort)/\(transport.rawValue)" }

    private static func split(_ text: String) -> (Substring, Substring) {
        guard let slash = text.firstIndex(of: "/") else { return (Substring(text), "tcp") }
        return (text[..<slash], text[text.index(after: slash)...])
    }
}
