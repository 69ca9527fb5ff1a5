import CorralReplication
import CorralSecurity
import NIOCore
import NIOPosix
import Synchronization

/// One connection of the binary client protocol to a master: many requests in flight,
/// matched to their answers by id. To a master with TLS it connects with TLS, presenting the
/// identity's certificate (such a master refuses callers without one from the cluster's CA).
public final class KVConnection: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case closed
        case timedOut
        /// The connection failed: the reason (a TLS refusal, say).
        case failed(String)
        public var description: String {
            switch self {
            case .closed:
                return "the connection to the master closed (if the master speaks TLS, this side must too: --tls-ca, --tls-cert, --tls-key)"
            case .timedOut: return "the master did not answer in time"
            case .failed(let reason): return "the connection to the master failed: \(reason)"
            }
        }
    }

    private let channel: any Channel
    private let handler: ResponseHandler
    private let nextID = Atomic<UInt64>(1)

    private init(channel: any Channel, handler: ResponseHandler) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects to a master's Raft port and says hello as a client. With `tls`, the connection
    /// is TLS and this waits for the handshake: a master whose certificate is not from the
    /// identity's CA, or does not name `address.host`, fails it with `Failure.failed`. (A
    /// master that refuses this side's certificate may only say so on the first request.)
    public static func connect(
        to address: PeerAddress, clusterID: String, tls: TLSIdentity? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> KVConnection {
        let handler = ResponseHandler()
        let handshake = group.next().makePromise(of: Void.self)
        let channel: any Channel
        do {
            channel = try await bootstrap(address, tls: tls, handler: handler, handshake: handshake, group: group)
                .connect(host: address.host, port: address.port).get()
        } catch {
            handshake.succeed()
            throw error
        }
        if tls == nil { handshake.succeed() }
        do {
            try await handshake.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw Failure.failed("TLS handshake with \(address): \(error)")
        }
        try await channel.writeAndFlush(Frame(kind: .hello, payload: Hello(clusterID: clusterID, nodeID: 0).encoded))
        return KVConnection(channel: channel, handler: handler)
    }

    private static func bootstrap(
        _ address: PeerAddress, tls: TLSIdentity?, handler: ResponseHandler, handshake: EventLoopPromise<Void>,
        group: any EventLoopGroup
    ) -> ClientBootstrap {
        ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandlers(
                            TransportTLS.clientHandlers(tls, host: address.host, timeout: .seconds(10), completed: handshake))
                    }
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: 64 << 20)),
                        MessageToByteHandler(FrameEncoder()),
                        handler,
                    ])
                }
            }
    }

    /// Writes `value` under `key`; throws `.timedOut` if no answer comes within `timeout` (the
    /// write may then have taken effect or not). The answer's status says what became of it:
    /// `.ok` committed, `.notLeader`/`.unavailable` not applied, `.outcomeUnknown` either.
    public func put(key: [UInt8], value: [UInt8], timeout: TimeAmount = .seconds(10)) async throws -> ClientResponse {
        try await send(ClientRequest(id: 0, operation: .put, key: key, value: value), timeout: timeout)
    }

    /// Reads `key` linearizably; throws `.timedOut` if no answer comes within `timeout`.
    public func get(key: [UInt8], timeout: TimeAmount = .seconds(10)) async throws -> ClientResponse {
        try await send(ClientRequest(id: 0, operation: .get, key: key), timeout: timeout)
    }

    private func send(_ request: ClientRequest, timeout: TimeAmount) async throws -> ClientResponse {
        var request = request
        request.id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        let frame = Frame(kind: .client, payload: request.encoded)
        let id = request.id
        let channel = self.channel
        let handler = self.handler
        return try await withCheckedThrowingContinuation { continuation in
            channel.eventLoop.execute {
                guard channel.isActive else {
                    continuation.resume(throwing: Failure.closed)
                    return
                }
                handler.pending[id] = continuation
                channel.writeAndFlush(frame, promise: nil)
                channel.eventLoop.scheduleTask(in: timeout) {
                    handler.pending.removeValue(forKey: id)?.resume(throwing: Failure.timedOut)
                }
            }
        }
    }

    public func close() {
        channel.close(promise: nil)
    }
}

/// Matches answers to requests. @unchecked Sendable: `pending` is touched only on the
/// channel's event loop.
private final class ResponseHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = Frame
    var pending: [UInt64: CheckedContinuation<ClientResponse, any Error>] = [:]
    /// Why the connection failed, if it did.
    private var failure: (any Error)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard frame.kind == .client, let response = try? ClientResponse(decoding: frame.payload) else {
            context.close(promise: nil)
            return
        }
        pending.removeValue(forKey: response.id)?.resume(returning: response)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let waiting = pending
        pending = [:]
        let error = failure.map { KVConnection.Failure.failed("\($0)") } ?? .closed
        for continuation in waiting.values { continuation.resume(throwing: error) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = error }
        context.close(promise: nil)
    }
}
