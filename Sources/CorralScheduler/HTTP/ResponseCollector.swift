import NIOCore
import NIOHTTP1

/// Collects one whole response at a time on a kept-alive connection and completes the
/// promise of the request that is waiting for it. Every member is used on the channel's
/// event loop only.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    /// A response, and whether the connection may carry another request.
    struct Collected {
        var response: HTTPBufferedResponse
        var keepAlive: Bool
    }

    private struct Pending {
        var promise: EventLoopPromise<Collected>
        var limit: Int
        var what: String
        var head: HTTPResponseHead?
        var body: [UInt8] = []
    }

    private var pending: Pending?
    /// Set once the connection closed or failed: a request must not wait on it.
    private var closedBecause: (any Error)?

    /// Waits for the next response (at most `limit` body bytes) on `promise`; `what` names
    /// the request in errors.
    func expect(_ promise: EventLoopPromise<Collected>, limit: Int, what: String) {
        if let closedBecause {
            // A refused TLS handshake is the answer; otherwise nothing was sent on it, and
            // the caller may send the request on another connection.
            promise.fail(HTTPStreamClient.isTLSFailure(closedBecause) ? closedBecause : StaleConnection())
            return
        }
        pending = Pending(promise: promise, limit: limit, what: what)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var current = pending else {
            // Bytes nobody asked for: the connection is not in a state to reuse.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head) where head.status.code < 200:
            return  // 1xx: the real head follows
        case .head(let head):
            guard current.head == nil else {
                return fail(context, SchedulerError(.protocolViolation, "\(current.what): a second response head arrived"))
            }
            current.head = head
        case .body(let buffer):
            guard current.head != nil else {
                return fail(context, SchedulerError(.protocolViolation, "\(current.what): a body arrived before a response head"))
            }
            guard current.body.count + buffer.readableBytes <= current.limit else {
                return fail(context, SchedulerError(.bodyTooLarge, "the response to \(current.what) is over \(current.limit) bytes"))
            }
            current.body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head = current.head else {
                return fail(context, SchedulerError(.protocolViolation, "\(current.what): the response ended before its head"))
            }
            pending = nil
            let response = HTTPBufferedResponse(status: head.status, headers: head.headers, body: current.body)
            current.promise.succeed(Collected(response: response, keepAlive: head.isKeepAlive))
            return
        }
        pending = current
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let ended = pending.map { $0.head == nil ? "closed the connection before answering" : "the connection closed before the response ended" }
        let error = SchedulerError(.connectionClosed, "\(pending?.what ?? "the connection"): \(ended ?? "the connection closed")")
        closedBecause = closedBecause ?? error
        pending?.promise.fail(error)
        pending = nil
        context.fireChannelInactive()
    }

    private func fail(_ context: ChannelHandlerContext, _ error: any Error) {
        closedBecause = closedBecause ?? error
        pending?.promise.fail(error)
        pending = nil
        context.close(promise: nil)
    }
}

/// A kept-alive connection closed before a request was written to it.
struct StaleConnection: Error {}
