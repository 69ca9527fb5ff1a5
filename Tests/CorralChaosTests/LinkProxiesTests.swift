import CorralChaos
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The link proxies over real loopback sockets: a "receiver" listening on port 0 reads whole
/// frames, a "sender" connects through the proxy of link 1->2 and writes a hello frame and
/// numbered Raft frames in the transport's framing (`u32 length`, version, kind, crc, payload).
@Suite(.serialized) struct LinkProxiesTests {
    /// A transport frame of `kind` whose payload is `number` (big-endian u32).
    static func frame(kind: UInt8, number: UInt32) -> [UInt8] {
        let payload = withUnsafeBytes(of: number.bigEndian) { Array($0) }
        let length = UInt32(1 + 1 + 4 + payload.count)
        return withUnsafeBytes(of: length.bigEndian) { Array($0) } + [1, kind, 0, 0, 0, 0] + payload
    }

    static func number(of frame: [UInt8]) -> UInt32 { frame.suffix(4).reduce(0) { $0 << 8 | UInt32($1) } }

    /// Sends a hello and Raft frames 1...count through link 1->2 with `fault` set (and `pace`
    /// between frames), then returns the frames the receiver got within `wait` of the last.
    static func relay(_ fault: LinkFault, count: UInt32, pace: useconds_t = 200, wait: Double = 0.6) throws -> [[UInt8]] {
        let receiver = try Listener()
        defer { receiver.close() }
        let proxies = try LinkProxies(members: [(1, "127.0.0.1:1"), (2, "127.0.0.1:\(receiver.port)")], host: "127.0.0.1", seed: 42)
        defer { proxies.stop() }
        proxies.set(fault, on: [LinkProxies.Link(from: 1, to: 2)])
        let address = try #require(proxies.address(from: 1, to: 2))
        let sender = try #require(Listener.connect(address))
        defer { Glibc.close(sender) }
        var frames = [frame(kind: 1, number: 0)] + (1...count).map { frame(kind: 2, number: $0) }
        for bytes in frames {
            frames.removeFirst()
            guard bytes.withUnsafeBytes({ send(sender, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { break }
            usleep(pace)
        }
        return receiver.frames(waiting: wait)
    }

    @Test func withoutAFaultEveryFrameArrivesInOrderUnchanged() throws {
        let got = try Self.relay(.none, count: 200)
        #expect(got == [Self.frame(kind: 1, number: 0)] + (1...200).map { Self.frame(kind: 2, number: $0) })
    }

    @Test func lossDropsRaftFramesButNeverTheHello() throws {
        let got = try Self.relay(LinkFault(loss: 0.5), count: 400)
        #expect(got.first == Self.frame(kind: 1, number: 0))
        let numbers = got.dropFirst().map(Self.number(of:))
        #expect((100...300).contains(numbers.count), "\(numbers.count) of 400 arrived")
        #expect(numbers == numbers.sorted() && Set(numbers).count == numbers.count)
    }

    @Test func duplicationSendsFramesTwice() throws {
        let got = try Self.relay(LinkFault(duplicate: 1), count: 100)
        let numbers = got.dropFirst().map(Self.number(of:))
        #expect(numbers == (1...100).flatMap { [$0, $0] })
    }

    @Test func jitterReordersAndDelayDelays() throws {
        let got = try Self.relay(LinkFault(delayMs: 20, jitterMs: 30), count: 200, pace: 100, wait: 1)
        let numbers = got.dropFirst().map(Self.number(of:))
        #expect(Set(numbers) == Set(1...200) && numbers.count == 200)
        #expect(numbers != numbers.sorted(), "no frame overtook another")
    }

    @Test func resetsEndTheConnection() throws {
        let got = try Self.relay(LinkFault(reset: 0.5), count: 200)
        #expect(got.count < 30, "\(got.count) frames arrived after resets at p = 0.5")
    }
}

/// A loopback listener that reads whole frames from the one connection it accepts.
final class Listener: Sendable {
    let fd: Int32
    let port: Int
    private let received = Mutex<[[UInt8]]>([])

    init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var inet = sockaddr_in()
        inet.sin_family = sa_family_t(AF_INET)
        inet.sin_addr.s_addr = inet_addr("127.0.0.1")
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let fd = self.fd
        let rc = withUnsafeMutableBytes(of: &inet) { raw -> Int32 in
            let address = raw.baseAddress?.assumingMemoryBound(to: sockaddr.self)
            guard bind(fd, address, size) == 0, listen(fd, 4) == 0 else { return -1 }
            return getsockname(fd, address, &size)
        }
        try #require(rc == 0)
        port = Int(UInt16(bigEndian: inet.sin_port))
        let thread = Thread { [self] in
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { return }
            defer { Glibc.close(connection) }
            while let frame = Self.readFrame(connection) { received.withLock { $0.append(frame) } }
        }
        thread.start()
    }

    /// What arrived, once nothing more has arrived for `wait` seconds.
    func frames(waiting wait: Double) -> [[UInt8]] {
        var last = -1
        while true {
            usleep(useconds_t(wait * 1e6))
            let now = received.withLock { $0.count }
            if now == last { return received.withLock { $0 } }
            last = now
        }
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }

    static func connect(_ address: String) -> Int32? {
        let parts = address.split(separator: ":")
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var inet = sockaddr_in()
        inet.sin_family = sa_family_t(AF_INET)
        inet.sin_port = (UInt16(parts[1]) ?? 0).bigEndian
        inet.sin_addr.s_addr = inet_addr(String(parts[0]))
        let rc = withUnsafeBytes(of: &inet) {
            Glibc.connect(fd, $0.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        return rc == 0 ? fd : nil
    }

    static func readFrame(_ fd: Int32) -> [UInt8]? {
        func exactly(_ count: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            var have = 0
            while have < count {
                let got = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + have, count - have, 0) }
                guard got > 0 else { return nil }
                have += got
            }
            return bytes
        }
        guard let header = exactly(4) else { return nil }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        return exactly(length).map { header + $0 }
    }
}
