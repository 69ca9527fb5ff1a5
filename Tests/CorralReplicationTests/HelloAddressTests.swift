import CorralRaft
import CorralTestSupport
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import CorralReplication

/// A master that joins learns the other members' addresses from the log, which it gets only
/// once it can answer the leader: the leader's hello says where it listens, so a joiner that
/// was not told of it (it was added after the joiner's peers were written down) still answers.
/// Found by corral-chaos (member-replace seed 1): a spare started with the founders' addresses
/// stayed an empty learner for 20 s under a leader that had itself been a spare.
@Suite(.timeLimit(.minutes(1)))
struct HelloAddressTests {
    @Test func aHelloCarriesItsAddressAndAnOldOneDecodesWithout() throws {
        let full = Hello(clusterID: "c-1", nodeID: 7, address: PeerAddress(host: "10.0.0.7", port: 7070))
        #expect(try Hello(decoding: full.encoded) == full)
        let bare = Hello(clusterID: "c-1", nodeID: 7)
        #expect(try Hello(decoding: bare.encoded) == bare)
        // What a master without addresses in its hello sends: node ID, then the cluster ID.
        #expect(try Hello(decoding: [0, 0, 0, 0, 0, 0, 0, 7] + Array("c-1".utf8)) == bare)
    }

    /// A transport listening on a free port, whose hello says where.
    static func transport(_ id: UInt64, onRaft: @escaping @Sendable (Message) -> Void) async throws
        -> PeerTransport
    {
        var logger = Logger(label: "corral.test.hello")
        logger.logLevel = .critical
        for _ in 0..<5 {
            let probe = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            let port = try #require(probe.localAddress?.port)
            try await probe.close()
            let transport = PeerTransport(
                group: MultiThreadedEventLoopGroup.singleton,
                hello: Hello(
                    clusterID: "test",
                    nodeID: id,
                    address: PeerAddress(host: "127.0.0.1", port: port)
                ),
                logger: logger,
                encode: { $0.encoded() }
            )
            // Another test may take the port between the probe and the bind: try another.
            if (try? await transport.listen(
                host: "127.0.0.1",
                port: port,
                onRaft: onRaft,
                onClient: { _, _ in }
            )) != nil {
                return transport
            }
            await transport.shutdown()
        }
        throw CancellationError()
    }

    @Test func aMasterAnswersALeaderItWasNotToldOf() async throws {
        let atLeader = Mutex<[Message]>([])
        let atJoiner = Mutex<[Message]>([])
        let leader = try await Self.transport(1) { message in atLeader.withLock { $0.append(message) } }
        let joiner = try await Self.transport(2) { message in atJoiner.withLock { $0.append(message) } }
        defer {
            Task {
                await leader.shutdown(); await joiner.shutdown()
            }
        }
        let joinerAddress = try #require(joiner.advertised)
        leader.setPeers([2: joinerAddress])
        joiner.setPeers([:])
        let heartbeat = Message(from: 1, to: 2, term: 3, body: .heartbeat(commit: 0, readContext: 0))
        let answer = Message(from: 2, to: 1, term: 3, body: .heartbeatResponse(readContext: 0))
        try await eventually("the joiner hears the leader", seconds: 10) {
            leader.send([heartbeat])
            return atJoiner.withLock { !$0.isEmpty }
        }
        try await eventually("the leader hears the joiner's answer", seconds: 10) {
            joiner.send([answer])
            return atLeader.withLock { $0.contains(answer) }
        }
        // Named later with another address, the named one wins.
        joiner.setPeers([1: PeerAddress(host: "127.0.0.1", port: 1)])
        #expect(joiner.linkedAddresses[1] == PeerAddress(host: "127.0.0.1", port: 1))
    }
}
