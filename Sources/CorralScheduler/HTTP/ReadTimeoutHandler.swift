import CorralModel
import NIOCore

/// Closes the connection with `SchedulerError.timedOut` when no bytes arrive for `timeout`.
///
/// Unlike NIO's `IdleStateHandler`, the timeout can change while the connection is open
/// (an event stream learns its heartbeat interval from its first event). Every member is
/// used on the channel's event loop only.
final class ReadTimeoutHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private var timeout: TimeAmount?
    private var lastReadAt = NIODeadline.now()
    private var check: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(timeout: TimeAmount?) {
        self.timeout = timeout
    }

    /// Sets a new timeout (nil for none), counted from now.
    func setTimeout(_ timeout: TimeAmount?) {
        self.timeout = timeout
        lastReadAt = .now()
        schedule()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lastReadAt = .now()
        schedule()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastReadAt = .now()
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    // MARK: - Timer

    private func schedule() {
        check?.cancel()
        check = nil
        guard let timeout, let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(deadline: lastReadAt + timeout) {
            loopBound.value.fire()
        }
    }

    private func fire() {
        check = nil
        guard let timeout, let context else { return }
        guard NIODeadline.now() >= lastReadAt + timeout else {
            schedule()
            return
        }
        let seconds = Double(timeout.nanoseconds) / 1e9
        context.fireErrorCaught(SchedulerError(.timedOut, "no bytes arrived for \(seconds) s"))
        context.close(promise: nil)
    }
}

/// Controls an open connection from any thread: close it, or change its read timeout.
public struct HTTPStreamControl: Sendable {
    private let channel: any Channel
    private let timeoutHandler: NIOLoopBound<ReadTimeoutHandler>

    init(channel: any Channel, timeoutHandler: ReadTimeoutHandler) {
        self.channel = channel
        self.timeoutHandler = NIOLoopBound(timeoutHandler, eventLoop: channel.eventLoop)
    }

    /// Closes the connection; a body being read ends with an error.
    public func close() {
        channel.close(promise: nil)
    }

    /// Sets how long the connection may go without receiving a byte (nil for no limit),
    /// counted from now.
    public func setReadTimeout(_ timeout: Duration?) {
        let handler = timeoutHandler
        let amount = timeout.map(TimeAmount.init)
        channel.eventLoop.execute { handler.value.setTimeout(amount) }
    }
}
