import CorralScheduler
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One proxied connection of a peer link: a reader thread that takes whole frames from the
/// sending master and queues each with the time it is due (or drops, doubles, or resets, as
/// the link's fault says), a writer thread that sends them to the receiving master in the
/// order they fall due, and a thread that copies whatever the receiver sends back.
final class FrameRelay: @unchecked Sendable {
    // @unchecked Sendable: `queue`, `sequence`, `finished` and `running` are only touched while
    // holding `condition`; `random` only by the reader thread.
    private let link: LinkProxies.Link
    private let inbound: Int32
    private let outbound: Int32
    private var random: SplitMix64
    private let fault: @Sendable () -> LinkFault
    private let count: @Sendable (@Sendable (inout LinkProxies.Counts) -> Void) -> Void
    private let closed: @Sendable () -> Void
    private let condition = NSCondition()
    private var queue: [(due: UInt64, sequence: Int, bytes: [UInt8])] = []
    private var sequence = 0
    private var finished = false
    private var running = 3

    /// The largest frame relayed; a larger length prefix ends the connection.
    static let maxFrameBytes = 64 << 20
    /// `Frame.Kind.raft`: the only kind that is delayed, dropped, doubled or reordered.
    static let raftKind: UInt8 = 2

    init(
        link: LinkProxies.Link, inbound: Int32, outbound: Int32, random: SplitMix64, fault: @escaping @Sendable () -> LinkFault,
        count: @escaping @Sendable (@Sendable (inout LinkProxies.Counts) -> Void) -> Void, closed: @escaping @Sendable () -> Void
    ) {
        self.link = link
        self.inbound = inbound
        self.outbound = outbound
        self.random = random
        self.fault = fault
        self.count = count
        self.closed = closed
    }

    func start() {
        for part in 0..<3 {
            let thread = Thread { [self] in
                switch part {
                case 0: readFrames()
                case 1: writeFrames()
                default: copyBack()
                }
                done()
            }
            thread.name = "link-proxy-\(link)-\(["read", "write", "back"][part])"
            thread.start()
        }
    }

    // MARK: - Threads

    private func readFrames() {
        var first = true
        while let frame = Self.readFrame(inbound) {
            let now = DispatchTime.now().uptimeNanoseconds
            guard !first, frame.count > 5, frame[5] == Self.raftKind else {
                first = false
                enqueue(frame, due: now)
                continue
            }
            let fault = fault()
            if fault.reset > 0, chance(fault.reset) {
                count { $0.resets += 1 }
                return
            }
            if fault.loss > 0, chance(fault.loss) {
                count { $0.dropped += 1 }
                continue
            }
            enqueue(frame, due: now + delay(fault))
            if fault.duplicate > 0, chance(fault.duplicate) {
                enqueue(frame, due: now + delay(fault))
                count { $0.duplicated += 1 }
            }
            count { $0.passed += 1 }
        }
    }

    private func writeFrames() {
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            guard let next = queue.indices.min(by: { (queue[$0].due, queue[$0].sequence) < (queue[$1].due, queue[$1].sequence) }) else {
                condition.wait()
                continue
            }
            let now = DispatchTime.now().uptimeNanoseconds
            if queue[next].due > now {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(queue[next].due - now) / 1e9))
                continue
            }
            let bytes = queue.remove(at: next).bytes
            condition.unlock()
            let sent = Self.writeAll(outbound, bytes)
            condition.lock()
            if !sent { return }
        }
    }

    private func copyBack() {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let got = buffer.withUnsafeMutableBytes { recv(outbound, $0.baseAddress, $0.count, 0) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0, Self.writeAll(inbound, Array(buffer[0..<got])) else { return }
        }
    }

    // MARK: - Helpers

    private func enqueue(_ frame: [UInt8], due: UInt64) {
        condition.lock()
        sequence += 1
        queue.append((due, sequence, frame))
        condition.signal()
        condition.unlock()
    }

    private func delay(_ fault: LinkFault) -> UInt64 {
        let jitter = fault.jitterMs > 0 ? Int.random(in: 0...fault.jitterMs, using: &random) : 0
        return UInt64(fault.delayMs + jitter) * 1_000_000
    }

    private func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }

    /// The first thread to end closes the connection both ways (the others then end too);
    /// the last one closes the sockets.
    private func done() {
        condition.lock()
        if !finished {
            finished = true
            shutdown(inbound, Int32(SHUT_RDWR))
            shutdown(outbound, Int32(SHUT_RDWR))
        }
        running -= 1
        let last = running == 0
        condition.broadcast()
        condition.unlock()
        if last {
            close(inbound)
            close(outbound)
            closed()
        }
    }

    /// One whole frame (its length prefix included), or nil at the end of the stream.
    static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let header = readExactly(fd, 4) else { return nil }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length <= maxFrameBytes, let body = readExactly(fd, length) else { return nil }
        return header + body
    }

    private static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var have = 0
        while have < count {
            let got = bytes.withUnsafeMutableBytes { raw in recv(fd, raw.baseAddress.map { $0 + have }, count - have, 0) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return nil }
            have += got
        }
        return bytes
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let wrote = bytes.withUnsafeBytes { raw in send(fd, raw.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { return false }
            sent += wrote
        }
        return true
    }
}
