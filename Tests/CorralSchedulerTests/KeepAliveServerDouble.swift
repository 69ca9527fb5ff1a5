import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny HTTP/1.1 server on loopback for the client's connection reuse: it counts the
/// connections it accepted, answers every request 200 with the request's path, asks the
/// client to close after each response when `closeEachResponse`, and can close every
/// open connection on demand.
final class KeepAliveServerDouble: Sendable {
    let port: Int
    private let channel: any Channel
    private let connections = Connections()

    /// The connections accepted so far, and those open.
    private final class Connections: Sendable {
        let accepted = Atomic<Int>(0)
        let open = Mutex<[ObjectIdentifier: any Channel]>([:])
    }

    var acceptedConnections: Int { connections.accepted.load(ordering: .relaxed) }

    init(closeEachResponse: Bool = false) async throws {
        let connections = self.connections
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                connections.accepted.add(1, ordering: .relaxed)
                connections.open.withLock { $0[ObjectIdentifier(child)] = child }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    try child.pipeline.syncOperations.addHandler(Responder(closeEachResponse: closeEachResponse))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    /// Closes every connection the server has open (the listening socket stays).
    func closeConnections() async {
        for child in connections.open.withLock({ Array($0.values) }) { try? await child.close() }
    }

    func stop() async {
        await closeConnections()
        try? await channel.close()
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let closeEachResponse: Bool
        private var path = ""
        init(closeEachResponse: Bool) { self.closeEachResponse = closeEachResponse }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head): path = head.uri
            case .body: break
            case .end:
                var headers = HTTPHeaders([("Content-Length", String(path.utf8.count))])
                if closeEachResponse { headers.add(name: "Connection", value: "close") }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: path)))), promise: nil)
                if closeEachResponse {
                    let channel = context.channel
                    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
                } else {
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
            }
        }
    }
}
