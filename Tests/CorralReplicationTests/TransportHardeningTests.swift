import CorralRaft
import CorralTestSupport
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing

@testable import CorralReplication

/// The transport between masters guards against peers that misbehave: one that accepts and
/// closes at once is redialled with a growing backoff, not in a tight loop; and a message
/// that claims to come from another node than the one that said hello is dropped.
@Suite(.timeLimit(.minutes(1)))
struct TransportHardeningTests {
    static var logger: Logger {
        var logger = Logger(label: "corral.test.transport")
        logger.logLevel = .critical
        return logger
    }

    @Test func aPeerThatAcceptsAndClosesAtOnceIsRedialledWithAGrowingBackoff() async throws {
        let accepts = Mutex<[ContinuousClock.Instant]>([])
        // Only this link's connections count: a port just freed by another test's "refusing"
        // peer can be handed to this listener, and that test's link then dials it too (once,
        // 19 ms after one of ours). Each connection is closed once its hello has come.
        let clusterID = "backoff-\(UInt64.random(in: 0...UInt64.max))"
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: 1 << 16))
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        HelloThenCloseDouble(clusterID: clusterID) { accepts.withLock { $0.append(.now) } }
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(listener.localAddress?.port)
        let minBackoff = 20
        let link = PeerLink(
            peer: 2,
            address: PeerAddress(host: "127.0.0.1", port: port),
            hello: Hello(clusterID: clusterID, nodeID: 1),
            group: MultiThreadedEventLoopGroup.singleton,
            // A connection that lasts `maxBackoff` resets the backoff: with 30 s, no event-loop
            // stall of a busy machine makes one of these instant closes count as lasting.
            options: TransportOptions(minBackoff: .milliseconds(Int64(minBackoff)), maxBackoff: .seconds(30)),
            logger: Self.logger,
            onRefused: { _ in }
        )
        // Raft sends on every tick; the link dials whenever it may.
        let started = ContinuousClock.now
        try await offCooperativePool {
            let end = ContinuousClock.now + .milliseconds(1_500)
            while ContinuousClock.now < end {
                link.send([Frame(kind: .raft, payload: [0])])
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        link.close()
        let elapsed = ContinuousClock.now - started
        try await listener.close()
        let times = accepts.withLock { $0 }
        // In 1.5 s, 20 + 40 + 80 + 160 + 320 + 640 ms of backoff fit: at most 7 connections. A
        // loaded machine can stretch the window; the bound follows the window measured.
        var fit = 1
        var waited = Duration.zero
        while true {
            waited += .milliseconds(min(minBackoff << (fit - 1), 30_000))
            guard waited <= elapsed else { break }
            fit += 1
        }
        #expect(
            times.count >= 2 && times.count <= fit,
            "\(times.count) connections in \(elapsed) (at most \(fit) fit)"
        )
        for (k, pair) in zip(times, times.dropFirst()).enumerated() {
            let backoff = Duration.milliseconds(min(minBackoff << k, 30_000))
            #expect(
                pair.1 - pair.0 >= backoff,
                "connection \(k + 1) came \(pair.1 - pair.0) after the one before, under the \(backoff) backoff"
            )
        }
    }

    /// A follower sends nothing to a dead leader, yet the node must see whether a refusal
    /// lasts before it campaigns early: the link keeps dialling a refusing peer on its own.
    @Test func aRefusingPeerIsDialledAgainWithoutSendsAndEachRefusalIsReported() async throws {
        // A port that refuses for the whole test: bound and held, never listening (a port
        // bound and closed could be taken by another test's listener meanwhile).
        let (held, port) = try LoopbackPort.bind()
        defer { close(held) }
        let refusals = Mutex<[ContinuousClock.Instant]>([])
        let link = PeerLink(
            peer: 2,
            address: PeerAddress(host: "127.0.0.1", port: port),
            hello: Hello(clusterID: "test", nodeID: 1),
            group: MultiThreadedEventLoopGroup.singleton,
            options: TransportOptions(minBackoff: .milliseconds(20), maxBackoff: .seconds(1)),
            logger: Self.logger,
            onRefused: { _ in refusals.withLock { $0.append(.now) } }
        )
        link.send([Frame(kind: .raft, payload: [0])])  // one send, then silence
        try await offCooperativePool {
            // Generous: four refusals take about 150 ms, but in a full test run the shared
            // event loops the link dials on were once busy for over a minute.
            let deadline = ContinuousClock.now + .seconds(90)
            while refusals.withLock({ $0.count }) < 4 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        link.close()
        let times = refusals.withLock { $0 }
        #expect(times.count >= 4, "\(times.count) refusals reported after a single send")
        for (first, second) in zip(times, times.dropFirst()) {
            #expect(
                second - first >= .milliseconds(20),
                "redialled \(second - first) after the last refusal, under the backoff"
            )
        }
    }

    @Test func aMessageWhoseSenderIsNotTheNodeThatSaidHelloIsDropped() throws {
        let received = Mutex<[Message]>([])
        let handler = InboundHandler(
            clusterID: "test",
            logger: Self.logger,
            onRaft: { message in received.withLock { $0.append(message) } },
            onClient: { _, _ in }
        )
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7101)).wait()
        try channel.writeInbound(Frame(kind: .hello, payload: Hello(clusterID: "test", nodeID: 2).encoded))
        let forged = Message(from: 3, to: 1, term: 9, body: .heartbeat(commit: 0, readContext: 0))
        let honest = Message(from: 2, to: 1, term: 9, body: .heartbeat(commit: 0, readContext: 0))
        try channel.writeInbound(Frame(kind: .raft, payload: forged.encoded()))
        try channel.writeInbound(Frame(kind: .raft, payload: honest.encoded()))
        #expect(received.withLock { $0 } == [honest])
        #expect(channel.isActive, "a forged message is dropped; the connection stays")
        _ = try? channel.finish()
    }
}

/// A test double for a peer that accepts and closes at once: it reads the caller's hello,
/// reports it if it names `clusterID`, and closes the connection.
final class HelloThenCloseDouble: ChannelInboundHandler, Sendable {
    typealias InboundIn = Frame
    let clusterID: String
    let onHello: @Sendable () -> Void

    init(clusterID: String, onHello: @escaping @Sendable () -> Void) {
        self.clusterID = clusterID
        self.onHello = onHello
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.kind == .hello, let hello = try? Hello(decoding: frame.payload), hello.clusterID == clusterID
        {
            onHello()
        }
        context.close(promise: nil)
    }
}
