import CorralSecurity
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 client on NIO: a whole response with a body limit (on kept-alive
/// connections), or a streaming response read chunk by chunk inside a closure (on a
/// connection of its own).
///
/// Every connection has a connect timeout and a read timeout (no bytes for that long closes
/// it). With `tls` every connection speaks TLS (HTTPS): the server's certificate must come
/// from the identity's CA and name the host or IP address connected to. Failures are
/// `SchedulerError`s: `.connectionFailed` (a refused TLS handshake too, saying why),
/// `.connectionClosed`, `.timedOut`, `.bodyTooLarge`, `.protocolViolation`.
public final class HTTPStreamClient: Sendable {
    /// The event loops connections run on.
    public let group: any EventLoopGroup
    /// How long opening a connection may take.
    public let connectTimeout: Duration
    /// How long a connection may go without receiving a byte; nil for no limit.
    public let readTimeout: Duration?
    /// TLS for every connection (the CA trusted for servers, a certificate to present); nil: plain HTTP.
    public let tls: TLSIdentity?
    /// Idle kept-alive connections for `execute`.
    let pool = HTTPConnectionPool()

    /// Makes a client; with `tls` it speaks HTTPS.
    public init(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        connectTimeout: Duration = .seconds(5),
        readTimeout: Duration? = .seconds(30),
        tls: TLSIdentity? = nil
    ) {
        self.group = group
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.tls = tls
    }

    /// Sends `request` to `host:port` and returns the whole response, on a kept-alive
    /// connection when one is idle (see `HTTPConnectionPool`).
    ///
    /// - Throws: `SchedulerError`; `.bodyTooLarge` when the body exceeds `bodyLimitBytes`.
    public func execute(
        _ request: HTTPStreamRequest,
        host: String,
        port: Int,
        bodyLimitBytes: Int = 1 << 20
    ) async throws -> HTTPBufferedResponse {
        let what = "\(request.method) \(request.path) to \(host):\(port)"
        let head = Self.head(request, host: host, port: port)
        // Nothing was sent on a connection that turns out closed: try another, a few times.
        var attempt = 0
        while true {
            attempt += 1
            let reused = pool.take(host: host, port: port)
            let connection: PooledConnection
            if let reused { connection = reused } else { connection = try await openPooled(host: host, port: port) }
            do {
                let collected = try await connection.send(
                    head, body: request.body, limit: bodyLimitBytes, readTimeout: readTimeout, what: what)
                if collected.keepAlive {
                    pool.giveBack(connection, host: host, port: port)
                } else {
                    connection.close()
                }
                return collected.response
            } catch is StaleConnection where attempt < 3 {
                continue  // it closed before anything was sent on it
            } catch {
                connection.close()
                throw describe(error, host: host, port: port, otherwise: .connectionClosed, "\(what) failed")
            }
        }
    }

    /// Sends `request` to `host:port`, waits for the response head, and runs `body` with the
    /// response whose body arrives chunk by chunk. The connection closes when `body` returns
    /// or throws, or when the task is cancelled.
    ///
    /// - Throws: `SchedulerError` for connection and protocol failures, or what `body` throws.
    public func stream<Result>(
        _ request: HTTPStreamRequest,
        host: String,
        port: Int,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (HTTPStreamResponse) async throws -> sending Result
    ) async throws -> sending Result {
        let (channel, control) = try await connect(host: host, port: port)
        return try await channel.executeThenClose(isolation: isolation) { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            let head: HTTPResponseHead
            do {
                try await Self.write(request, host: host, port: port, to: outbound)
                head = try await readHead(&iterator, host: host, port: port)
            } catch {
                throw describe(error, host: host, port: port, otherwise: .connectionClosed, "\(request.method) \(request.path) to \(host):\(port) failed")
            }
            let response = HTTPStreamResponse(
                status: head.status,
                headers: head.headers,
                body: HTTPBodyStream(iterator),
                control: control
            )
            return try await body(response)
        }
    }

    // MARK: - Connection

    typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    var bootstrap: ClientBootstrap {
        ClientBootstrap(group: group)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
    }

    /// Connects to an address literal directly (no resolver, no Happy Eyeballs race), to a
    /// name through both.
    private func connect<Output: Sendable>(
        host: String, port: Int, _ initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Output>
    ) async throws -> Output {
        do {
            if let address = try? SocketAddress(ipAddress: host, port: port) {
                return try await bootstrap.connect(to: address, channelInitializer: initializer)
            }
            return try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
        } catch {
            throw describe(error, host: host, port: port, otherwise: .connectionFailed, "cannot connect to \(host):\(port)")
        }
    }

    /// A new connection for `execute`, kept alive between requests.
    private func openPooled(host: String, port: Int) async throws -> PooledConnection {
        let tls = try tlsHandlerMaker(host: host, port: port)
        return try await connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try Self.pooledPipeline(channel, tls: tls) }
        }
    }

    /// The handlers of a kept-alive connection: TLS (when set), the read timeout, HTTP/1.1 and the collector.
    static func pooledPipeline(_ channel: any Channel, tls: TLSHandlerMaker?) throws -> PooledConnection {
        if let tls { try channel.pipeline.syncOperations.addHandler(try tls()) }
        // No timer until the first request: each request starts the read timeout.
        let timeoutHandler = ReadTimeoutHandler(timeout: nil)
        let collector = ResponseCollector()
        try channel.pipeline.syncOperations.addHandler(timeoutHandler)
        try channel.pipeline.syncOperations.addHTTPClientHandlers()
        try channel.pipeline.syncOperations.addHandler(collector)
        return PooledConnection(
            channel: channel, collector: NIOLoopBound(collector, eventLoop: channel.eventLoop),
            control: HTTPStreamControl(channel: channel, timeoutHandler: timeoutHandler))
    }

    private func connect(host: String, port: Int) async throws -> (Connection, HTTPStreamControl) {
        let readTimeout = self.readTimeout.map(TimeAmount.init)
        let tls = try tlsHandlerMaker(host: host, port: port)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<(Connection, HTTPStreamControl)> = { channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls { try channel.pipeline.syncOperations.addHandler(try tls()) }
                let timeoutHandler = ReadTimeoutHandler(timeout: readTimeout)
                try channel.pipeline.syncOperations.addHandler(timeoutHandler)
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                let connection = try Connection(wrappingChannelSynchronously: channel)
                return (connection, HTTPStreamControl(channel: channel, timeoutHandler: timeoutHandler))
            }
        }
        return try await connect(host: host, port: port, initializer)
    }

    /// The request head as sent: `Host` unless given, and the body's `Content-Length`.
    static func head(_ request: HTTPStreamRequest, host: String, port: Int) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: request.method, uri: request.path)
        head.headers = request.headers
        if !head.headers.contains(name: "Host") { head.headers.add(name: "Host", value: "\(host):\(port)") }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(request.body.count))
        return head
    }

    private static func write(
        _ request: HTTPStreamRequest,
        host: String,
        port: Int,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    ) async throws {
        try await outbound.write(.head(head(request, host: host, port: port)))
        if !request.body.isEmpty {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: request.body))))
        }
        try await outbound.write(.end(nil))
    }

    private func readHead(
        _ iterator: inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
        host: String,
        port: Int
    ) async throws -> HTTPResponseHead {
        while let part = try await iterator.next() {
            switch part {
            case .head(let head) where head.status.code >= 200:
                return head
            case .head:
                continue  // 1xx: the real head follows
            case .body, .end:
                throw SchedulerError(.protocolViolation, "\(host):\(port) sent a body before a response head")
            }
        }
        throw SchedulerError(.connectionClosed, "\(host):\(port) closed the connection before answering\(plainToTLSHint)")
    }
}
