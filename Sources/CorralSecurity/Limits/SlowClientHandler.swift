import NIOCore
import NIOHTTPTypes

/// Closes a server connection whose client is too slow (see `SlowClientTimer`). It sits
/// after the HTTP decoder, so it sees whole request heads: bytes of an unfinished head do not
/// reset its clock, nor do body bytes trickling in.
public final class SlowClientHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = HTTPRequestPart
    public typealias InboundOut = HTTPRequestPart
    public typealias OutboundIn = HTTPResponsePart
    public typealias OutboundOut = HTTPResponsePart

    private var timer: SlowClientTimer
    private var scheduled: Scheduled<Void>?
    private var scheduledFor: ContinuousClock.Instant?

    public init(timeouts: SlowClientTimeouts) {
        timer = SlowClientTimer(timeouts: timeouts, now: .now)
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        timer = SlowClientTimer(timeouts: timer.timeouts, now: .now)
        reschedule(context)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: timer.head(at: .now)
        case .body: break
        case .end: timer.requestEnd()
        }
        reschedule(context)
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            timer.responseEnd(at: .now)
            reschedule(context)
        }
        context.write(data, promise: promise)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        scheduled?.cancel()
        scheduled = nil
        context.fireChannelInactive()
    }

    private func reschedule(_ context: ChannelHandlerContext) {
        let deadline = timer.deadline
        guard deadline != scheduledFor else { return }
        scheduled?.cancel()
        scheduled = nil
        scheduledFor = deadline
        guard let deadline else { return }
        let delay = deadline - .now
        let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
        scheduled = loop.scheduleTask(in: .nanoseconds(max(0, delay.nanosecondsValue))) { [self] in
            scheduled = nil
            scheduledFor = nil
            if timer.expired(at: .now) {
                context.close(promise: nil)
            } else {
                reschedule(context)
            }
        }
    }
}

@available(*, unavailable)
extension SlowClientHandler: Sendable {}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanosecondsValue: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
