import CorralRaft
import CorralSecurity
import CorralTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Testing

@testable import CorralReplication

/// One connection at a time to a TLS Raft port: the certificate it is shown (a rotated one
/// from the next connection on), a caller without a certificate refused, names and addresses
/// verified against the certificate's.
@Suite(.timeLimit(.minutes(1)), .offCooperativePool)
struct RaftTLSConnectionTests {
    /// A TLS transport of node 1 that records what reaches it.
    final class Listener: Sendable {
        final class Count: Sendable {
            let value = Atomic<Int>(0)
        }

        let transport: PeerTransport
        let port: Int
        /// Raft messages and client frames that reached the transport's handlers.
        let delivered: Count

        init(_ identity: TLSIdentity) async throws {
            var logger = Logger(label: "corral.test.raft-tls")
            logger.logLevel = .critical
            let transport = PeerTransport(
                group: MultiThreadedEventLoopGroup.singleton, hello: Hello(clusterID: "tls-test", nodeID: 1),
                options: TransportOptions(tls: identity), logger: logger, encode: { $0.encoded() })
            let delivered = Count()
            self.transport = transport
            self.delivered = delivered
            port = try await transport.listen(
                host: "127.0.0.1", port: 0, onRaft: { _ in delivered.value.add(1, ordering: .relaxed) },
                onClient: { _, _ in delivered.value.add(1, ordering: .relaxed) })
        }
    }

    /// Connects to `host:port` as `identity` and completes the handshake (on this side).
    static func connect(_ host: String, _ port: Int, as identity: TLSIdentity) async throws -> any Channel {
        let group = MultiThreadedEventLoopGroup.singleton
        let handshake = group.next().makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        TransportTLS.clientHandlers(identity, host: host, timeout: .seconds(10), completed: handshake))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
                }
            }
            .connect(host: host, port: port).get()
        do {
            try await handshake.futureResult.get()
        } catch {
            try? await channel.close()
            throw error
        }
        return channel
    }

    /// The serial number of the certificate the server showed on `channel`.
    static func peerSerial(_ channel: any Channel) async throws -> [UInt8] {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate?.serialNumber ?? []
        }.get()
    }

    /// The serial number of the first certificate in the PEM file at `path`.
    static func fileSerial(_ path: String) throws -> [UInt8] {
        try #require(try NIOSSLCertificate.fromPEMFile(path).first).serialNumber
    }

    @Test func aNewConnectionPresentsTheRotatedCertificate() async throws {
        let certificates = try TLSTestCertificates()
        defer { certificates.remove() }
        let directory = certificates.clusterDirectory
        let listener = try await Listener(try certificates.identity(1))
        defer { Task { await listener.transport.shutdown() } }
        let client = try certificates.identity(2)
        let first = try await Self.connect("127.0.0.1", listener.port, as: client)
        defer { first.close(promise: nil) }
        let original = try Self.fileSerial(directory + "/node-1.pem")
        #expect(try await Self.peerSerial(first) == original)
        // Rotate node 1's files as deployment tools do: new files renamed over the old ones.
        let (certificate, key) = try certificates.clusterCA().issue(name: "node-1-rotated", hosts: ["127.0.0.1"], days: 1)
        let rotated = try Self.fileSerial(certificate)
        let later = Date().addingTimeInterval(5)
        for (from, to) in [(certificate, directory + "/node-1.pem"), (key, directory + "/node-1-key.pem")] {
            try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: from)
            #expect(rename(from, to) == 0)
        }
        let second = try await Self.connect("127.0.0.1", listener.port, as: client)
        defer { second.close(promise: nil) }
        #expect(rotated != original)
        #expect(try await Self.peerSerial(second) == rotated)
        // The connection opened before keeps going.
        #expect(first.isActive)
    }

    @Test func aCallerWithoutACertificateIsRefusedAndHeardNothing() async throws {
        let certificates = try TLSTestCertificates()
        defer { certificates.remove() }
        let listener = try await Listener(try certificates.identity(1))
        defer { Task { await listener.transport.shutdown() } }
        // Trusts the cluster's CA but has no certificate of its own. Under TLS 1.3 its side of
        // the handshake may complete; the server then refuses it and closes.
        let anonymous = try TLSIdentity(files: TLSFiles(ca: certificates.clusterDirectory + "/ca.pem"))
        if let channel = try? await Self.connect("127.0.0.1", listener.port, as: anonymous) {
            let vote = Message(from: 2, to: 1, term: 99, body: .heartbeat(commit: 0, readContext: 0))
            channel.write(Frame(kind: .hello, payload: Hello(clusterID: "tls-test", nodeID: 2).encoded), promise: nil)
            try? await channel.writeAndFlush(Frame(kind: .raft, payload: vote.encoded()))
            try await channel.closeFuture.get()
        }
        try await eventually("the refusal is counted", seconds: 10) { listener.transport.inboundHandshakes.failures >= 1 }
        #expect(listener.delivered.value.load(ordering: .relaxed) == 0)
    }

    @Test func theServerCertificateMustNameTheAddressOrNameDialled() async throws {
        let certificates = try TLSTestCertificates()
        defer { certificates.remove() }
        _ = try certificates.clusterCA().issue(name: "elsewhere", hosts: ["10.1.2.3", "elsewhere.test"], days: 1)
        _ = try certificates.clusterCA().issue(name: "named", hosts: ["localhost"], days: 1)
        let client = try certificates.identity(2)
        let directory = certificates.clusterDirectory
        let elsewhere = try await Listener(try TLSIdentity(files: .issued(directory: directory, name: "elsewhere")))
        let named = try await Listener(try TLSIdentity(files: .issued(directory: directory, name: "named")))
        defer { Task { await elsewhere.transport.shutdown(); await named.transport.shutdown() } }
        await #expect(throws: (any Error).self) { try await Self.connect("127.0.0.1", elsewhere.port, as: client) }
        // Names are checked against the certificate's DNS names (sent in SNI).
        let byName = try await Self.connect("localhost", named.port, as: client)
        byName.close(promise: nil)
        await #expect(throws: (any Error).self) { try await Self.connect("127.0.0.1", named.port, as: client) }
    }

    /// A plain side that gets TLS bytes (a TLS master's alert, a TLS caller's hello) says so.
    @Test func aTLSRecordWhereAFirstFrameIsExpectedIsNamed() {
        #expect(FrameDecoder.startsWithTLSRecord(ByteBuffer(bytes: [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x74])))
        #expect(FrameDecoder.startsWithTLSRecord(ByteBuffer(bytes: [0x16, 0x03, 0x01, 0x02, 0x00])))
        var hello = ByteBuffer()
        Frame(kind: .hello, payload: Hello(clusterID: "c", nodeID: 1).encoded).write(to: &hello)
        #expect(!FrameDecoder.startsWithTLSRecord(hello))
        #expect(FrameError.tlsRecord.description.contains("--tls-ca"))
    }

    @Test func refusalsAreLoggedOncePerSourceAndInterval() {
        var limiter = HandshakeLogLimiter(interval: .seconds(60))
        let start = ContinuousClock.now
        #expect(limiter.record("10.0.0.1", at: start) == 0)
        #expect(limiter.record("10.0.0.1", at: start + .seconds(1)) == nil)
        #expect(limiter.record("10.0.0.1", at: start + .seconds(2)) == nil)
        #expect(limiter.record("10.0.0.2", at: start + .seconds(3)) == 0)
        #expect(limiter.record("10.0.0.1", at: start + .seconds(61)) == 2)
        #expect(limiter.record("10.0.0.1", at: start + .seconds(62)) == nil)
    }
}
