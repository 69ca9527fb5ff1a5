import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Sockets opened inside a network namespace (a thread enters it with setns and opens the
/// socket, which keeps its namespace), for checking what a partition lets through.
enum NamespaceProbe {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// glibc's setns(2), which the Glibc module does not export (it is a _GNU_SOURCE call).
    private static func setns(_ fd: Int32, _ type: Int32) -> Int32 {
        typealias SetNS = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else { return -1 }
        return unsafeBitCast(symbol, to: SetNS.self)(fd, type)
    }

    /// CLONE_NEWNET from <sched.h>.
    private static let newNetworkNamespace: Int32 = 0x4000_0000

    /// A socket of `type` in namespace `name` (nil: this process's own namespace).
    static func socket(in name: String?, type: Int32) throws -> Int32 {
        guard let name else { return Glibc.socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0) }
        let outcome = Mutex<(socket: Int32, failure: String)>((-1, ""))
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            let handle = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
            guard handle >= 0 else { return outcome.withLock { $0.failure = "open /run/netns/\(name): errno \(errno)" } }
            defer { close(handle) }
            guard setns(handle, newNetworkNamespace) == 0 else {
                return outcome.withLock { $0.failure = "setns(\(name)): errno \(errno)" }
            }
            let socket = Glibc.socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
            outcome.withLock { $0 = (socket, socket >= 0 ? "" : "socket() in \(name): errno \(errno)") }
        }
        thread.start()
        done.wait()
        let (result, failure) = outcome.withLock { $0 }
        guard result >= 0 else { throw Failure(description: failure) }
        return result
    }

    /// A TCP listener on port 0 in `name`; returns its socket and port.
    static func listener(in name: String?, type: Int32 = Int32(SOCK_STREAM.rawValue)) throws -> (socket: Int32, port: UInt16) {
        let fd = try socket(in: name, type: type)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutableBytes(of: &address) { raw -> Int32 in
            let pointer = raw.baseAddress?.assumingMemoryBound(to: sockaddr.self)
            return bind(fd, pointer, size) == 0 ? getsockname(fd, pointer, &size) : -1
        }
        guard bound == 0, type != Int32(SOCK_STREAM.rawValue) || listen(fd, 64) == 0 else {
            close(fd)
            throw Failure(description: "bind/listen in \(name ?? "this namespace"): errno \(errno)")
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// Whether a TCP connection from namespace `name` to `host:port` is set up within `seconds`.
    static func connects(from name: String?, to host: String, port: UInt16, seconds: Double = 0.3) throws -> Bool {
        let fd = try socket(in: name, type: Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
        defer { close(fd) }
        var address = try inetAddress(host, port)
        let started = withUnsafeBytes(of: &address) { raw in
            connect(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        if started == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var poll = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard Glibc.poll(&poll, 1, Int32(seconds * 1000)) == 1 else { return false }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        return error == 0
    }

    /// Whether a UDP datagram sent from namespace `name` to `host:port` arrives at `receiver`
    /// within `seconds` (the receiver is drained first).
    static func datagramArrives(from name: String?, to host: String, port: UInt16, receiver: Int32, seconds: Double = 0.2) throws -> Bool {
        var scratch = [UInt8](repeating: 0, count: 64)
        while recv(receiver, &scratch, scratch.count, Int32(MSG_DONTWAIT)) > 0 {}
        let fd = try socket(in: name, type: Int32(SOCK_DGRAM.rawValue))
        defer { close(fd) }
        var address = try inetAddress(host, port)
        let sent = withUnsafeBytes(of: &address) { raw in
            sendto(fd, "probe", 5, 0, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        // A DROP in OUTPUT fails the send with EPERM: the datagram did not leave.
        guard sent == 5 else { return false }
        var poll = pollfd(fd: receiver, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&poll, 1, Int32(seconds * 1000)) == 1
    }

    private static func inetAddress(_ host: String, _ port: UInt16) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure(description: "\(host) is not an IPv4 address") }
        return address
    }
}
