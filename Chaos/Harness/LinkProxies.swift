import CorralScheduler
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A user-space relay per directed peer link (there is no `tc netem` here): master `i` reaches
/// master `j`'s Raft port through the proxy of link `i->j`, which reads whole transport frames
/// (`u32 length` then the frame; see `Frame`) and, while a `LinkFault` is set on the link,
/// delays, drops, duplicates and reorders the Raft frames and resets connections. The
/// hello that opens a connection always passes. A master sends its Raft messages to a peer
/// on its own outbound connection, so a link carries one direction of the traffic.
public final class LinkProxies: Sendable {
    public struct Link: Sendable, Hashable, CustomStringConvertible {
        public var from: UInt64
        public var to: UInt64
        public init(from: UInt64, to: UInt64) {
            self.from = from
            self.to = to
        }
        public var description: String { "m\(from)->m\(to)" }
    }

    /// How many frames the proxies passed, dropped, duplicated, and how many connections they reset.
    public struct Counts: Sendable, Hashable {
        public var passed = 0, dropped = 0, duplicated = 0, resets = 0
    }

    let host: String
    let seed: UInt64
    private let listeners: [Link: (fd: Int32, port: Int, target: String)]
    private let faults = Mutex<[Link: LinkFault]>([:])
    private let open = Mutex<Set<Int32>>([])
    private let tally = Mutex(Counts())
    private let stopped = Atomic<Bool>(false)

    /// Listens on `host` (port 0) for every directed link between `members` (id and real Raft
    /// address); nothing is relayed until a master connects.
    public init(members: [(id: UInt64, raft: String)], host: String, seed: UInt64) throws(HarnessFailure) {
        self.host = host
        self.seed = seed
        var listeners: [Link: (fd: Int32, port: Int, target: String)] = [:]
        for from in members {
            for to in members where to.id != from.id {
                do {
                    let (fd, port) = try Self.listen(on: host)
                    listeners[Link(from: from.id, to: to.id)] = (fd, port, to.raft)
                } catch {
                    for (fd, _, _) in listeners.values { close(fd) }
                    throw error
                }
            }
        }
        self.listeners = listeners
        for (link, listener) in listeners {
            let thread = Thread { [self] in accept(link, listener.fd, target: listener.target) }
            thread.name = "link-proxy-\(link)"
            thread.start()
        }
    }

    /// Where master `from` reaches master `to`'s Raft port.
    public func address(from: UInt64, to: UInt64) -> String? {
        listeners[Link(from: from, to: to)].map { "\(host):\($0.port)" }
    }

    /// Every link from and to `node` (both directions).
    public func links(touching node: UInt64) -> [Link] {
        listeners.keys.filter { $0.from == node || $0.to == node }.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
    }

    public var allLinks: [Link] { listeners.keys.sorted { ($0.from, $0.to) < ($1.from, $1.to) } }

    /// Sets `fault` on `links` (replacing what was set); `.none` heals them.
    public func set(_ fault: LinkFault, on links: [Link]) {
        faults.withLock { faults in for link in links { faults[link] = fault == .none ? nil : fault } }
    }

    public var counts: Counts { tally.withLock { $0 } }

    /// Closes every listener and connection.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        for (fd, _, _) in listeners.values { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
        for fd in open.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    // MARK: - Relaying

    private func accept(_ link: Link, _ listener: Int32, target: String) {
        var connection = 0
        while !stopped.load(ordering: .relaxed) {
            let inbound = Glibc.accept(listener, nil, nil)
            if inbound < 0 {
                if errno == EINTR { continue }
                return
            }
            connection += 1
            guard let outbound = Self.connect(to: target) else { close(inbound); continue }
            open.withLock { $0.formUnion([inbound, outbound]) }
            let relay = FrameRelay(
                link: link, inbound: inbound, outbound: outbound,
                random: SplitMix64(seed: seed ^ (link.from << 48) ^ (link.to << 40) ^ UInt64(connection)),
                fault: { [self] in faults.withLock { $0[link] } ?? .none },
                count: { [self] change in tally.withLock { change(&$0) } },
                closed: { [self] in open.withLock { $0.subtract([inbound, outbound]) } })
            relay.start()
        }
    }

    // MARK: - Sockets

    private static func listen(on host: String) throws(HarnessFailure) -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessFailure("link proxy: socket() failed: errno \(errno)") }
        var inet = sockaddr_in()
        inet.sin_family = sa_family_t(AF_INET)
        guard inet_pton(AF_INET, host, &inet.sin_addr) == 1 else {
            close(fd)
            throw HarnessFailure("link proxy: \(host) is not an IPv4 address")
        }
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutableBytes(of: &inet) { raw -> Int32 in
            let address = raw.baseAddress?.assumingMemoryBound(to: sockaddr.self)
            guard bind(fd, address, size) == 0, Glibc.listen(fd, 16) == 0 else { return -1 }
            return getsockname(fd, address, &size)
        }
        guard bound == 0 else {
            close(fd)
            throw HarnessFailure("link proxy: cannot listen on \(host):0: errno \(errno)")
        }
        return (fd, Int(UInt16(bigEndian: inet.sin_port)))
    }

    /// A connected socket to `address` (`host:port`), or nil.
    static func connect(to address: String) -> Int32? {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var inet = sockaddr_in()
        inet.sin_family = sa_family_t(AF_INET)
        inet.sin_port = port.bigEndian
        guard inet_pton(AF_INET, String(parts[0]), &inet.sin_addr) == 1 else {
            close(fd)
            return nil
        }
        let rc = withUnsafeBytes(of: &inet) { raw in
            Glibc.connect(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        guard rc == 0 else {
            close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }
}
