import CorralReplication
import NIOCore
import NIOPosix
import Synchronization

/// One connection of the binary client protocol to a master: many requests in flight,
/// matched to their answers by id.
public final class KVConnection: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case closed
        case timedOut
        public var description: String {
            switch self {
            case .closed: return "the connection to the master closed"
            case .timedOut: return "the master did not answer in time"
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

    /// Connects to a master's Raft port and says hello as a client.
    public static func connect(to address: PeerAddress, clusterID: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> KVConnection {
        let handler = ResponseHandler()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: 64 << 20)),
                        MessageToByteHandler(FrameEncoder()),
                        handler,
                    ])
                }
            }
            .connect(host: address.host, port: address.port).get()
        try await channel.writeAndFlush(Frame(kind: .hello, payload: Hello(clusterID: clusterID, nodeID: 0).encoded))
        return KVConnection(channel: channel, handler: handler)
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
        for continuation in waiting.values { continuation.resume(throwing: KVConnection.Failure.closed) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
