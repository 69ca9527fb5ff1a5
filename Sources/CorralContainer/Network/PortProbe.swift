#if canImport(Glibc)
    import Glibc
#endif

/// Whether a host port is free to publish: something already bound to it on this host
/// would take the connections meant for the container.
enum PortProbe {
    /// Binds the port on every address (and lets it go); throws if that is refused.
    static func checkFree(_ port: PortMapping) throws {
        let kind = port.transport == .tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        let socketFD = socket(AF_INET, kind | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socketFD >= 0 else { throw ContainerError.system(.network, "socket(probe \(port))", errno: errno) }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.hostPort.bigEndian
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if bound != 0 {
            let code = errno
            throw ContainerError(
                .invalidArgument, stage: "publish \(port)",
                cause: code == EADDRINUSE
                    ? "host port \(port.hostPort)/\(port.transport.rawValue) is in use on this host; choose another"
                    : String(cString: strerror(code)),
                errorNumber: code)
        }
    }
}
