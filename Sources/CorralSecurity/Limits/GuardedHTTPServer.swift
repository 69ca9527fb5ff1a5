import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 server with Corral's connection limits: a cap on open connections
/// (`ConnectionLimitHandler`, first in the pipeline) and slow-client timeouts
/// (`SlowClientHandler`, after the HTTP decoder).
public struct GuardedHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel
    let gate: ConnectionGate?
    let what: String

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let gate = self.gate
        let what = self.what
        return channel.eventLoop.makeCompletedFuture {
            if let gate, gate.limit > 0 {
                try channel.pipeline.syncOperations.addHandler(ConnectionLimitHandler(gate: gate, what: what), position: .first)
            }
        }.flatMap {
            inner.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1 server whose connections are counted at `gate` (nil or a limit of 0: no cap)
    /// and closed when their client is slower than `timeouts`; `additionalChannelHandlers`
    /// come after the slow-client handler. `what` names the server in refusals.
    public static func guardedHTTP1(
        gate: ConnectionGate?, timeouts: SlowClientTimeouts, what: String,
        additionalChannelHandlers: @escaping @Sendable () -> [any RemovableChannelHandler] = { [] }
    ) -> HTTPServerBuilder {
        let handlers: @Sendable () -> [any RemovableChannelHandler] = {
            let slow: [any RemovableChannelHandler] = timeouts == .disabled ? [] : [SlowClientHandler(timeouts: timeouts)]
            return slow + additionalChannelHandlers()
        }
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                inner: HTTP1Channel(responder: responder, configuration: .init(additionalChannelHandlers: handlers())),
                gate: gate, what: what)
        }
    }
}
