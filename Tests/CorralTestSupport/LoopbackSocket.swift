import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP connection to 127.0.0.1 for tests of what a server does with unusual clients:
/// bytes written as they are (a head cut short, a body dripped a byte at a time), and what
/// came back until the server closed the connection or the wait ran out.
public final class LoopbackSocket {
    private let fd: Int32

    /// Why a connection could not be made.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Connects to 127.0.0.1:`port`.
    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "cannot connect to 127.0.0.1:\(port)")
        }
    }

    deinit { close(fd) }

    /// Writes `text`; false when the server has closed the connection.
    @discardableResult
    public func write(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let wrote = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return wrote == bytes.count
    }

    /// Whether the server closed the connection (end of stream or reset) within `seconds`,
    /// and what it sent before.
    public func readUntilClosed(seconds: Double) -> (closed: Bool, text: String) {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
        var received = [UInt8]()
        while ContinuousClock.now < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = max(1, Int32((deadline - ContinuousClock.now).components.seconds * 1_000 + 10))
            guard poll(&poller, 1, min(left, 100)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (true, String(decoding: received, as: UTF8.self)) }
            received += chunk[0..<count]
        }
        return (false, String(decoding: received, as: UTF8.self))
    }

    /// Whether the connection is still open: nothing to read and no end of stream.
    public var isOpen: Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) > 0
    }
}
