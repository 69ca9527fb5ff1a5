import NIOCore
import Synchronization

/// Counts a server's open connections against a limit. Thread-safe; shared by the handlers
/// of one server's connections.
public final class ConnectionGate: Sendable {
    /// The most connections open at once; 0: no limit.
    public let limit: Int
    private let open = Atomic<Int>(0)

    public init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection in; false (and nothing counted) when the limit is reached.
    public func enter() -> Bool {
        while true {
            let current = open.load(ordering: .relaxed)
            if limit > 0, current >= limit { return false }
            if open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged { return true }
        }
    }

    /// Counts a connection out (one that `enter` let in).
    public func leave() {
        open.subtract(1, ordering: .relaxed)
    }

    /// Connections open now.
    public var count: Int { open.load(ordering: .relaxed) }
}

/// The first handler of a server connection's pipeline: counts the connection in at the
/// `gate`, and when the gate is full answers `503` with `Retry-After` (raw HTTP/1.1, before
/// any request is read), closes its side and drops whatever the client sends until it is gone.
public final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State { case idle, admitted, refused, left }

    private let gate: ConnectionGate
    private let what: String
    private var state = State.idle

    /// `what` names the server and its setting in the refusal, e.g. "this master (limits.max_connections)".
    public init(gate: ConnectionGate, what: String) {
        self.gate = gate
        self.what = what
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        admit(context)
        // Passed on even when refused: the handlers after this one see a normal lifecycle.
        context.fireChannelActive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if state == .admitted { context.fireChannelRead(data) }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        leave()
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        leave()
    }

    private func admit(_ context: ChannelHandlerContext) {
        guard state == .idle else { return }
        if gate.enter() {
            state = .admitted
            return
        }
        state = .refused
        let message = "{\"message\":\"too many open connections: \(what) serves at most \(gate.limit) at once; retry shortly\"}"
        let response = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            + "Connection: close\r\nContent-Length: \(message.utf8.count)\r\n\r\n\(message)"
        let channel = context.channel
        // Half-close first so the client reads the answer before the connection goes; the
        // full close follows shortly even if the client keeps its side open.
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }

    private func leave() {
        if state == .admitted { gate.leave() }
        state = .left
    }
}

@available(*, unavailable)
extension ConnectionLimitHandler: Sendable {}
