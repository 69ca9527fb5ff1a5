import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

extension HTTPStreamClient {
    /// `execute` for synchronous callers (the CLI's `MasterClient`): the request goes on a
    /// connection of its own, closed after the answer, and the calling thread waits for it.
    /// Never call it on an event loop. Waiting on NIO's futures, it needs no thread of
    /// Swift's cooperative pool, so callers blocking that pool cannot starve it.
    ///
    /// - Throws: `SchedulerError` (see `execute`).
    public func executeBlocking(
        _ request: HTTPStreamRequest, host: String, port: Int, bodyLimitBytes: Int = 1 << 20
    ) throws -> HTTPBufferedResponse {
        let what = "\(request.method) \(request.path) to \(host):\(port)"
        let tls = try tlsHandlerMaker(host: host, port: port)
        let made = NIOLockedValueBox<PooledConnection?>(nil)
        let bootstrap = self.bootstrap.channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let connection = try Self.pooledPipeline(channel, tls: tls)
                made.withLockedValue { $0 = connection }
            }
        }
        do {
            if let address = try? SocketAddress(ipAddress: host, port: port) {
                _ = try bootstrap.connect(to: address).wait()
            } else {
                _ = try bootstrap.connect(host: host, port: port).wait()
            }
        } catch {
            throw describe(error, host: host, port: port, otherwise: .connectionFailed, "cannot connect to \(host):\(port)")
        }
        guard let connection = made.withLockedValue({ $0 }) else {
            throw SchedulerError(.connectionFailed, "cannot connect to \(host):\(port)")
        }
        defer { connection.close() }
        do {
            let head = Self.head(request, host: host, port: port)
            return try connection.start(head, body: request.body, limit: bodyLimitBytes, readTimeout: readTimeout, what: what)
                .wait().response
        } catch {
            throw describe(error, host: host, port: port, otherwise: .connectionClosed, "\(what) failed")
        }
    }
}
