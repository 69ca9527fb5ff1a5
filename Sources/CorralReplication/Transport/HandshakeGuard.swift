import NIOCore
import NIOTLS

/// Sits right after the TLS handler of a connection on the Raft port. Until the handshake
/// completes, any error (a plain-TCP caller, a certificate from another CA, a caller without a
/// certificate) closes the connection and goes to the `HandshakeLog`, not to the handlers
/// behind it, which never see the connection. A handshake that does not complete within
/// `timeout` closes the connection too, so a caller cannot hold one open by saying nothing.
/// After the handshake everything passes through.
final class HandshakeGuard: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: all state is touched only on the channel's event loop.
    typealias InboundIn = NIOAny

    private enum State {
        case handshaking(timeout: Scheduled<Void>?)
        case established
        case failed
    }

    private let log: HandshakeLog
    private let timeout: TimeAmount
    private var state = State.handshaking(timeout: nil)
    /// The other side's address, taken while the connection is up (a channel closed by the
    /// failure may no longer know it, and the log's rate limit is per address).
    private var remote: SocketAddress?
    /// Completed when the handshake does, failed when it fails (for clients that wait for it).
    private let completed: EventLoopPromise<Void>?

    init(log: HandshakeLog, timeout: TimeAmount, completed: EventLoopPromise<Void>? = nil) {
        self.log = log
        self.timeout = timeout
        self.completed = completed
    }

    func handlerAdded(context: ChannelHandlerContext) {
        remote = context.remoteAddress
        if context.channel.isActive { startTimer(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if case .handshaking(let timer) = state {
            timer?.cancel()
            state = .failed
            completed?.fail(TLSHandshakeError.closedDuringHandshake)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        if remote == nil { remote = context.remoteAddress }
        startTimer(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSUserEvent, case .handshakeCompleted = event, case .handshaking(let timer) = state {
            timer?.cancel()
            state = .established
            completed?.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard case .handshaking = state else {
            if case .established = state { context.fireErrorCaught(error) }
            return
        }
        fail(context, error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .handshaking = state { fail(context, TLSHandshakeError.closedDuringHandshake) }
        context.fireChannelInactive()
    }

    private func startTimer(_ context: ChannelHandlerContext) {
        guard case .handshaking(timeout: .none) = state else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            guard case .handshaking = handler.state else { return }
            handler.fail(context, TLSHandshakeError.timedOut(handler.timeout))
        }
        state = .handshaking(timeout: timer)
    }

    private func fail(_ context: ChannelHandlerContext, _ error: any Error) {
        if case .handshaking(let timer) = state { timer?.cancel() }
        state = .failed
        let remote = self.remote ?? context.remoteAddress
        log.failed(remote: remote.map { "\($0)" } ?? "?", host: remote?.ipAddress ?? "?", error: error)
        completed?.fail(error)
        context.close(promise: nil)
    }
}

/// Why a TLS handshake on the Raft port did not complete, when TLS itself did not say.
public enum TLSHandshakeError: Error, CustomStringConvertible {
    case closedDuringHandshake
    case timedOut(TimeAmount)

    public var description: String {
        switch self {
        case .closedDuringHandshake:
            return "the connection closed during the TLS handshake (the other side refused it, or does not speak TLS)"
        case .timedOut(let timeout):
            return "the TLS handshake did not complete within \(timeout.nanoseconds / 1_000_000) ms"
        }
    }
}
