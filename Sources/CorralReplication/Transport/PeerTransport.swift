import CorralRaft
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// TCP transport between masters: one listener, one outbound link per peer, versioned
/// checksummed frames, messages to a peer batched into one flush. With `TransportOptions.tls`
/// every connection, both ways, is mutual TLS with certificates from the cluster's CA.
public final class PeerTransport: Sendable {
    private let group: any EventLoopGroup
    private let hello: Hello
    private let options: TransportOptions
    private let logger: Logger
    private let encode: @Sendable (Message) -> [UInt8]
    private let links = Mutex<[UInt64: PeerLink]>([:])
    /// The peers and addresses `setPeers` gave, and those learned from hellos of masters it
    /// did not name (they stay until `setPeers` names them).
    private let addresses = Mutex<(configured: [UInt64: PeerAddress], learned: [UInt64: PeerAddress])>(([:], [:]))
    private let server = Mutex<(any Channel)?>(nil)
    private let refusedHandler = Mutex<(@Sendable (UInt64) -> Void)?>(nil)
    /// Connections this master refused at the TLS handshake.
    let inboundHandshakes: HandshakeLog
    /// Links whose TLS handshake failed (the peer refused this node's certificate, or this
    /// node refused the peer's).
    let outboundHandshakes: HandshakeLog

    private func peerRefused(_ peer: UInt64) {
        refusedHandler.withLock { $0 }?(peer)
    }

    /// Sets who hears that a peer refused a connection (its process is not listening).
    public func onPeerRefused(_ handler: @escaping @Sendable (UInt64) -> Void) {
        refusedHandler.withLock { $0 = handler }
    }

    public init(
        group: any EventLoopGroup,
        hello: Hello,
        options: TransportOptions = TransportOptions(),
        logger: Logger,
        encode: @escaping @Sendable (Message) -> [UInt8]
    ) {
        self.group = group
        self.hello = hello
        self.options = options
        self.logger = logger
        self.encode = encode
        inboundHandshakes = HandshakeLog(
            logger: logger, message: "refused a connection on the Raft port at the TLS handshake (no certificate from the cluster's CA?)")
        outboundHandshakes = HandshakeLog(logger: logger, message: "TLS handshake with a peer failed")
    }

    /// Starts listening; returns the bound port (useful with port 0). `onRaft` gets every
    /// Raft message whose sender is the peer that said hello on its connection.
    public func listen(
        host: String,
        port: Int,
        onRaft: @escaping @Sendable (Message) -> Void,
        onClient: @escaping @Sendable (Frame, any Channel) -> Void
    ) async throws -> Int {
        let clusterID = hello.clusterID
        let logger = self.logger
        let maxFrameBytes = options.maxFrameBytes
        let learn: @Sendable (UInt64, PeerAddress) -> Void = { [weak self] id, address in self?.learn(id, at: address) }
        let tls = options.tls
        let handshakes = inboundHandshakes
        let handshakeTimeout = options.handshakeTimeout
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // A handler per connection from the identity's current files: a rotated
                    // certificate is used from the next connection on.
                    if let tls {
                        try channel.pipeline.syncOperations.addHandlers(
                            TransportTLS.serverHandlers(tls, log: handshakes, timeout: handshakeTimeout))
                    }
                    let handlers: [any ChannelHandler] = [
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: maxFrameBytes)),
                        MessageToByteHandler(FrameEncoder()),
                        InboundHandler(
                            clusterID: clusterID, logger: logger, onRaft: onRaft, onClient: onClient, onHello: learn),
                    ]
                    try channel.pipeline.syncOperations.addHandlers(handlers)
                }
            }
            .bind(host: host, port: port).get()
        server.withLock { $0 = channel }
        return channel.localAddress?.port ?? port
    }

    /// Sets who the peers are and where they listen (on start and after membership changes).
    public func setPeers(_ peers: [UInt64: PeerAddress]) {
        let effective = addresses.withLock { addresses in
            addresses.configured = peers
            for id in peers.keys { addresses.learned[id] = nil }
            return addresses.learned.merging(peers) { _, configured in configured }
        }
        link(effective)
    }

    /// A master this transport was not told of said hello from `address`: messages to it go
    /// there until `setPeers` names it (a new member learns the others from the log, which it
    /// gets only once it can answer the leader).
    func learn(_ id: UInt64, at address: PeerAddress) {
        guard id != hello.nodeID else { return }
        let effective: [UInt64: PeerAddress]? = addresses.withLock { addresses in
            guard addresses.configured[id] == nil, addresses.learned[id] != address else { return nil }
            addresses.learned[id] = address
            return addresses.learned.merging(addresses.configured) { _, configured in configured }
        }
        guard let effective else { return }
        logger.info("learned a peer's address from its hello", metadata: ["peer": "\(id)", "address": "\(address)"])
        link(effective)
    }

    /// Opens a link to each of `peers` that has none at that address, and closes the others.
    private func link(_ peers: [UInt64: PeerAddress]) {
        let stale: [PeerLink] = links.withLock { links in
            var removed: [PeerLink] = []
            for (id, link) in links where peers[id] != link.address {
                removed.append(link)
                links[id] = nil
            }
            for (id, address) in peers where links[id] == nil && id != hello.nodeID {
                links[id] = PeerLink(
                    peer: id, address: address, hello: hello, group: group, options: options, logger: logger,
                    handshakes: outboundHandshakes, onRefused: { [weak self] peer in self?.peerRefused(peer) })
            }
            return removed
        }
        for link in stale { link.close() }
    }

    /// Where this master's hello says it listens.
    var advertised: PeerAddress? { hello.address }

    /// The address of each peer link.
    var linkedAddresses: [UInt64: PeerAddress] { links.withLock { $0.mapValues(\.address) } }

    /// Sends messages, one flush per peer. Messages to unknown or unreachable peers are dropped.
    public func send(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        var byPeer: [UInt64: [Frame]] = [:]
        for message in messages {
            byPeer[message.to, default: []].append(Frame(kind: .raft, payload: encode(message)))
        }
        let targets = links.withLock { links in byPeer.compactMap { id, frames in links[id].map { ($0, frames) } } }
        for (link, frames) in targets { link.send(frames) }
    }

    public func shutdown() async {
        let all = links.withLock { links -> [PeerLink] in
            defer { links = [:] }
            return Array(links.values)
        }
        for link in all { link.close() }
        let channel = server.withLock { $0 }
        try? await channel?.close()
    }
}
