import CorralRaft
import Logging
import NIOCore

/// Handles one accepted connection: a hello first, then Raft or client frames.
/// Any malformed frame closes the connection with a logged reason; it never crashes the node.
/// A Raft message whose sender is not the node that said hello is dropped with a warning:
/// a connection speaks for one peer only.
final class InboundHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: all state is touched only on the channel's event loop.
    typealias InboundIn = Frame
    typealias OutboundOut = Frame

    private let clusterID: String
    private let logger: Logger
    private let onRaft: @Sendable (Message) -> Void
    private let onClient: @Sendable (Frame, any Channel) -> Void
    private let onHello: @Sendable (UInt64, PeerAddress) -> Void
    private var peer: UInt64?

    /// `onHello` hears each master that says where it listens.
    init(
        clusterID: String,
        logger: Logger,
        onRaft: @escaping @Sendable (Message) -> Void,
        onClient: @escaping @Sendable (Frame, any Channel) -> Void,
        onHello: @escaping @Sendable (UInt64, PeerAddress) -> Void = { _, _ in }
    ) {
        self.clusterID = clusterID
        self.logger = logger
        self.onRaft = onRaft
        self.onClient = onClient
        self.onHello = onHello
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        do {
            guard peer != nil else {
                guard frame.kind == .hello else { throw HelloError.expectedHello }
                let hello = try Hello(decoding: frame.payload)
                guard hello.clusterID == clusterID else {
                    throw HelloError.wrongCluster(expected: clusterID, got: hello.clusterID)
                }
                peer = hello.nodeID
                if hello.nodeID != 0, let address = hello.address { onHello(hello.nodeID, address) }
                return
            }
            switch frame.kind {
            case .raft:
                let message = try Message(decoding: frame.payload)
                guard message.from == peer else {
                    logger.warning(
                        "dropping a message whose sender is not the node that said hello",
                        metadata: ["peer": "\(peer.map(String.init) ?? "unknown")", "from": "\(message.from)", "to": "\(message.to)"])
                    return
                }
                onRaft(message)
            case .client: onClient(frame, context.channel)
            case .hello: throw HelloError.expectedHello
            }
        } catch {
            close(context, reason: "\(error)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context, reason: "\(error)")
    }

    private func close(_ context: ChannelHandlerContext, reason: String) {
        logger.warning(
            "closing connection",
            metadata: ["peer": "\(peer.map(String.init) ?? "unknown")", "remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")", "reason": "\(reason)"]
        )
        context.close(promise: nil)
    }
}
