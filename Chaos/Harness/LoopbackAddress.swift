import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The loopback fallback for per-node addresses: node `id` gets 127.0.0.(10+id), and each
/// of its listeners a port the kernel picked as free on that address.
public enum LoopbackAddress {
    /// `127.0.0.11` for node 1.
    public static func host(of id: UInt64) -> String { "127.0.0.\(10 + id)" }

    /// A TCP port free on `host` right now (bound with port 0, read back, released).
    public static func freePort(on host: String) throws(HarnessFailure) -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw HarnessFailure("socket() for a free port on \(host) failed: errno \(errno)") }
        defer { close(socketFD) }
        var inet = sockaddr_in()
        inet.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, host, &inet.sin_addr) == 1 else { throw HarnessFailure("\(host) is not an IPv4 address") }
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutableBytes(of: &inet) { raw -> Int32 in
            let address = raw.baseAddress?.assumingMemoryBound(to: sockaddr.self)
            return bind(socketFD, address, size) == 0 ? getsockname(socketFD, address, &size) : -1
        }
        guard result == 0 else { throw HarnessFailure("bind(\(host):0) failed: errno \(errno)") }
        return Int(UInt16(bigEndian: inet.sin_port))
    }
}

/// The harness itself could not do its job (not a finding about the cluster).
public struct HarnessFailure: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
