import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The outbound connection to one peer: connects on demand, reconnects with exponential
/// backoff, holds a bounded backlog while a connection is being made (so the first vote
/// request after a restart is not lost), and drops messages while the peer is down (Raft
/// retries them). A connection that closes before it has lasted `TransportOptions.maxBackoff`
/// counts as a failed attempt, so a peer (or proxy) that accepts and closes at once is
/// redialled with a growing backoff, not in a tight loop; so is a peer whose TLS handshake
/// fails (each failure is counted and, rate-limited, logged in `handshakes`).
final class PeerLink: Sendable {
    private enum State {
        case idle
        case connecting(backlog: [Frame])
        case connected(any Channel)
        case backingOff(until: NIODeadline)
    }

    /// At most this many frames wait for a connection being made.
    static let maxBacklog = 256

    let peer: UInt64
    let address: PeerAddress
    private let hello: Hello
    private let group: any EventLoopGroup
    private let options: TransportOptions
    private let logger: Logger
    private let state = Mutex<State>(.idle)
    /// Grows while connections close soon after they open (a peer or proxy that accepts and
    /// closes at once); back to the minimum after a connection that lasted.
    private let backoff: Mutex<TimeAmount>
    /// Grows while dials are refused (the peer's process is not listening); back to the
    /// minimum once a dial connects. Kept apart from `backoff`, so a peer that was down for a
    /// while and came back is probed quickly again when it goes down again.
    private let refusalBackoff: Mutex<TimeAmount>
    /// Called when the peer refused a connection: its process is not listening.
    private let onRefused: @Sendable (UInt64) -> Void
    /// Where failed TLS handshakes are counted and logged.
    private let handshakes: HandshakeLog

    init(
        peer: UInt64, address: PeerAddress, hello: Hello, group: any EventLoopGroup, options: TransportOptions,
        logger: Logger, handshakes: HandshakeLog? = nil, onRefused: @escaping @Sendable (UInt64) -> Void
    ) {
        self.onRefused = onRefused
        self.handshakes = handshakes ?? HandshakeLog(logger: logger, message: "TLS handshake with a peer failed")
        self.peer = peer
        self.address = address
        self.hello = hello
        self.group = group
        self.options = options
        self.logger = logger
        self.backoff = Mutex(options.minBackoff)
        self.refusalBackoff = Mutex(options.minBackoff)
    }

    /// Writes the frames with one flush, or starts connecting and drops them.
    func send(_ frames: [Frame]) {
        let channel: (any Channel)? = state.withLock { state in
            switch state {
            case .connected(let channel):
                return channel
            case .connecting(var backlog):
                backlog.append(contentsOf: frames.prefix(Self.maxBacklog - min(backlog.count, Self.maxBacklog)))
                state = .connecting(backlog: backlog)
                return nil
            case .backingOff(let until):
                if NIODeadline.now() < until { return nil }
                state = .connecting(backlog: Array(frames.prefix(Self.maxBacklog)))
                connect()
                return nil
            case .idle:
                state = .connecting(backlog: Array(frames.prefix(Self.maxBacklog)))
                connect()
                return nil
            }
        }
        guard let channel else { return }
        channel.eventLoop.execute {
            for frame in frames { channel.write(frame, promise: nil) }
            channel.flush()
        }
    }

    func close() {
        let channel: (any Channel)? = state.withLock { state in
            defer { state = .idle }
            if case .connected(let channel) = state { return channel }
            return nil
        }
        channel?.close(promise: nil)
    }

    /// Called with the state set to `.connecting`.
    private func connect() {
        let hello = self.hello
        let (tls, host, handshakes, timeout) = (options.tls, address.host, handshakes, options.handshakeTimeout)
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(options.connectTimeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Frames written before the handshake completes wait in the TLS handler.
                    if let tls {
                        try channel.pipeline.syncOperations.addHandlers(
                            TransportTLS.clientHandlers(tls, host: host, log: handshakes, timeout: timeout))
                    }
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(FrameEncoder()))
                }
            }
        bootstrap.connect(host: address.host, port: address.port).whenComplete { result in
            switch result {
            case .success(let channel):
                self.refusalBackoff.withLock { $0 = self.options.minBackoff }
                // The hello and the backlog are queued on the event loop under the lock, so
                // no later send can overtake them.
                self.state.withLock { state in
                    let backlog: [Frame]
                    if case .connecting(let waiting) = state { backlog = waiting } else { backlog = [] }
                    state = .connected(channel)
                    channel.eventLoop.execute {
                        channel.write(Frame(kind: .hello, payload: hello.encoded), promise: nil)
                        for frame in backlog { channel.write(frame, promise: nil) }
                        channel.flush()
                    }
                }
                let opened = NIODeadline.now()
                // When the peer goes away after a lasting connection, connect once more at
                // once: a refusal tells the node the peer's process is gone (see
                // `RaftInput.peerUnreachable`). A connection closed soon after it opened is a
                // failed attempt and backs off. A link closed on purpose is no longer
                // `.connected` here, so it stays closed.
                channel.closeFuture.whenComplete { _ in
                    let lasted = NIODeadline.now() - opened >= self.options.maxBackoff
                    let delay = lasted ? self.resetBackoff() : self.growBackoff()
                    let reconnect = self.state.withLock { state -> Bool in
                        guard case .connected(let current) = state, current === channel else { return false }
                        if lasted {
                            state = .connecting(backlog: [])
                            return true
                        }
                        state = .backingOff(until: .now() + delay)
                        return false
                    }
                    if reconnect {
                        self.connect()
                    } else {
                        // Dial again after the backoff even with nothing to send: a follower
                        // sends nothing to a leader that died soon after it connected, and only
                        // a refused dial tells it the leader's process is gone.
                        self.group.next().scheduleTask(in: delay) { self.probe() }
                    }
                }
            case .failure(let error):
                let refused = Self.isRefused(error)
                let delay = refused ? self.growRefusalBackoff() : self.growBackoff()
                self.logger.debug(
                    "peer connect failed",
                    metadata: ["peer": "\(self.peer)", "address": "\(self.address)", "error": "\(error)"]
                )
                self.state.withLock { $0 = .backingOff(until: .now() + delay) }
                if refused {
                    self.onRefused(self.peer)
                    // Dial a refusing peer again after the backoff even with nothing to send, so
                    // the node learns whether the refusal lasts: it acts only on one that does
                    // (see `RaftInput.peerUnreachable`), and a follower sends nothing to a dead leader.
                    self.group.next().scheduleTask(in: delay) { self.probe() }
                }
            }
        }
    }

    /// Dials again if the link is still backing off (not closed, not reconnected meanwhile).
    private func probe() {
        let dial = state.withLock { state -> Bool in
            guard case .backingOff = state else { return false }
            state = .connecting(backlog: [])
            return true
        }
        if dial { connect() }
    }
}

extension PeerLink {
    /// The wait before the next attempt after a failed one; the one after will be twice as long.
    private func growBackoff() -> TimeAmount {
        Self.grow(backoff, upTo: options.maxBackoff)
    }

    /// The wait before the next dial after a refused one; the one after will be twice as long.
    private func growRefusalBackoff() -> TimeAmount {
        Self.grow(refusalBackoff, upTo: options.maxBackoff)
    }

    private static func grow(_ backoff: borrowing Mutex<TimeAmount>, upTo maximum: TimeAmount) -> TimeAmount {
        backoff.withLock { backoff in
            let current = backoff
            backoff = min(backoff * 2, maximum)
            return current
        }
    }

    /// A lasting connection ended: the next attempt goes at once, and a failure after it
    /// waits the shortest backoff.
    private func resetBackoff() -> TimeAmount {
        backoff.withLock { $0 = options.minBackoff }
        return .zero
    }

    /// Whether a connect failed because nothing listens at the address.
    static func isRefused(_ error: any Error) -> Bool {
        if let error = error as? NIOConnectionError {
            return error.connectionErrors.contains { isRefused($0.error) }
        }
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        return false
    }
}
