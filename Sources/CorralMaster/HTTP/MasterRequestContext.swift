import Hummingbird
import NIOCore
import Synchronization

/// The request context of the master's routes: Hummingbird's basic one plus the connection,
/// so a streaming response can tell when its client has gone.
struct MasterRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The client's connection.
    let channel: any Channel
    /// The principal the request authenticated as (`AuthenticationMiddleware`); nil when
    /// authentication is off or the path is open.
    var principal: String?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Tells a streaming response that its client has gone. The server allows half-closed
/// connections, so without this a subscriber that went away would be noticed only when a
/// later heartbeat write failed; with it, the subscription ends as soon as the client closes
/// its side (a scheduler's fail-over timeout starts then, as in Mesos). Other requests are
/// untouched: a client that half-closes after its request still gets its answer.
final class ClientGoneHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    // Requests pass through untouched: only the events matter here.
    typealias InboundIn = NIOAny

    private struct State {
        var gone = false
        var callbacks: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    /// Calls `callback` once the client has closed its side or the connection is closed (at
    /// once if that already happened).
    func whenClientGone(_ callback: @escaping @Sendable () -> Void) {
        let goneAlready = state.withLock { state in
            if !state.gone { state.callbacks.append(callback) }
            return state.gone
        }
        if goneAlready { callback() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { clientGone() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientGone()
        context.fireChannelInactive()
    }

    private func clientGone() {
        let callbacks = state.withLock { state in
            state.gone = true
            defer { state.callbacks = [] }
            return state.callbacks
        }
        for callback in callbacks { callback() }
    }
}
