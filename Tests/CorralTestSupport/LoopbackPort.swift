import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Loopback sockets bound to port 0, so tests never pick a port by hand.
public enum LoopbackPort {
    /// The ports `free()` has returned in this process.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A socket bound to 127.0.0.1 on a port the system chose, listening when `backlog` is
    /// given; returns the descriptor and the port.
    public static func bind(listening backlog: Int32? = nil) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard Glibc.bind(fd, pointer, length) == 0 else { return -1 }
                if let backlog, listen(fd, backlog) != 0 { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard fd >= 0, bound == 0 else {
            if fd >= 0 { close(fd) }
            throw LoopbackPortError(errno: errno)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A loopback port nothing uses right now, for a process that will listen on it, perhaps
    /// again after a restart. It is taken from below the kernel's ephemeral range (32768 and
    /// up on Linux), checked by binding it: a port bound to 0 comes from that range, and while
    /// its process is down an outgoing connection of any test can take it as its local port,
    /// so the restart fails with EADDRINUSE (seen in `RegisterTests` on a busy machine).
    public static func free() throws -> Int {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let port = Int.random(in: 16_384..<32_768, using: &random)
            // Never the same port twice in one test process: a port handed out but not yet
            // bound by its master was free to bind here, and two quorums started together
            // could collide on it ("Address already in use", seen in CI).
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if let fd = try? bind(port: port) {
                close(fd)
                return port
            }
        }
        let (fd, port) = try bind()
        close(fd)
        return port
    }

    /// A socket bound to 127.0.0.1 on `port`.
    static func bind(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard fd >= 0, bound == 0 else {
            if fd >= 0 { close(fd) }
            throw LoopbackPortError(errno: errno)
        }
        return fd
    }
}

/// No loopback port could be bound.
public struct LoopbackPortError: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "could not bind a loopback port (errno \(errno))" }
}
