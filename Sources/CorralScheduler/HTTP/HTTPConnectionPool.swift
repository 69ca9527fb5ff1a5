import NIOCore
import NIOHTTP1
import Synchronization

/// The idle kept-alive connections of one `HTTPStreamClient`, by host and port.
///
/// A request takes an idle connection (or opens one), and gives it back once its whole
/// response arrived and the server did not ask to close it; a connection that closed while
/// idle is dropped when it is next looked at. At most `idlePerHost` idle connections are
/// kept per host; idle ones close after the client's read timeout, and all of them when the
/// client goes away.
final class HTTPConnectionPool: Sendable {
    let idlePerHost: Int
    private let idle = Mutex<[String: [PooledConnection]]>([:])

    init(idlePerHost: Int = 16) {
        self.idlePerHost = idlePerHost
    }

    deinit {
        for connection in idle.withLock({ $0.values.flatMap { $0 } }) { connection.close() }
    }

    /// An open idle connection to `host:port`, if there is one.
    func take(host: String, port: Int) -> PooledConnection? {
        idle.withLock { idle in
            while let connection = idle["\(host):\(port)"]?.popLast() {
                if connection.isActive { return connection }
            }
            return nil
        }
    }

    /// Keeps `connection` for the next request to `host:port`, or closes it.
    func giveBack(_ connection: PooledConnection, host: String, port: Int) {
        let kept = idle.withLock { idle in
            var list = idle["\(host):\(port)", default: []].filter(\.isActive)
            guard connection.isActive, list.count < idlePerHost else { return false }
            list.append(connection)
            idle["\(host):\(port)"] = list
            return true
        }
        if !kept { connection.close() }
    }

    /// How many idle connections are kept (for tests).
    var idleCount: Int { idle.withLock { $0.values.reduce(0) { $0 + $1.filter(\.isActive).count } } }
}

/// One kept-alive HTTP/1.1 connection: a request at a time, its response collected whole.
struct PooledConnection: Sendable {
    let channel: any Channel
    let collector: NIOLoopBound<ResponseCollector>
    /// Closes the connection and sets its read timeout.
    let control: HTTPStreamControl

    var isActive: Bool { channel.isActive }

    func close() { control.close() }

    /// Sends `head` and `body` and waits for the whole response; the read timeout counts
    /// from now (not from the connection's last response).
    func send(
        _ head: HTTPRequestHead, body: [UInt8], limit: Int, readTimeout: Duration?, what: String
    ) async throws -> ResponseCollector.Collected {
        let future = start(head, body: body, limit: limit, readTimeout: readTimeout, what: what)
        let channel = channel
        return try await withTaskCancellationHandler {
            try await future.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// Sends `head` and `body`; the future completes with the whole response.
    func start(
        _ head: HTTPRequestHead, body: [UInt8], limit: Int, readTimeout: Duration?, what: String
    ) -> EventLoopFuture<ResponseCollector.Collected> {
        let promise = channel.eventLoop.makePromise(of: ResponseCollector.Collected.self)
        let channel = channel
        let collector = collector
        // Runs on the event loop before the request is written (tasks run in order there).
        control.setReadTimeout(readTimeout)
        channel.eventLoop.execute {
            collector.value.expect(promise, limit: limit, what: what)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty {
                channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
            }
            // A failed write closes the connection, which fails the promise.
            channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { _ in channel.close(promise: nil) }
        }
        return promise.futureResult
    }
}
