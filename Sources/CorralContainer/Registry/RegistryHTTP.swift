import Dispatch
import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP answer from a registry or token server.
struct RegistryResponse {
    /// The status code.
    var status: Int
    /// The headers, names lowercased.
    var headers: [String: String]
    /// The body, unless it went to a streaming sink.
    var body: [UInt8]
    /// Why the body broke off after the answer began (a dropped connection), if it did.
    var interruption: String?

    /// The value of header `name` (any case).
    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Receives a successful (2xx) answer's body as it arrives.
protocol RegistryBodySink: AnyObject {
    /// The answer began with `status` and `headers` (names lowercased); called before any write.
    func begin(status: Int, headers: [String: String]) throws
    /// The next bytes of the body.
    func write(_ buffer: UnsafeRawBufferPointer) throws
}

/// A blocking HTTP client over URLSession (libcurl, with TLS, on Linux) that can stream a
/// successful answer's body to a sink as it arrives, so a layer is never held whole in memory.
///
/// Calls block their thread until the exchange ends; run them off the cooperative pool.
final class RegistryHTTP: Sendable {
    private let session: URLSession
    private let router: Router
    /// How long a request may stay idle before it fails.
    let timeout: TimeInterval

    /// A client whose requests fail after `timeout` seconds without progress.
    init(timeout: TimeInterval = 60) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        router = Router()
        session = URLSession(configuration: configuration, delegate: router, delegateQueue: queue)
        self.timeout = timeout
    }

    deinit { session.invalidateAndCancel() }

    /// What a request sends as its body.
    enum Body {
        case none
        case bytes([UInt8])
        case file(String)
    }

    /// Sends `request`. A 2xx body goes to `sink` when one is given; any other body is kept in
    /// memory up to `limit` bytes. Throws when no answer arrives at all (unreachable, refused).
    func send(
        _ request: URLRequest,
        body: Body = .none,
        limit: Int = 8 << 20,
        sink: (any RegistryBodySink)? = nil
    ) throws -> RegistryResponse {
        let exchange = Exchange(limit: limit, sink: sink)
        let task: URLSessionTask
        switch body {
        case .none: task = session.dataTask(with: request)
        case .bytes(let bytes): task = session.uploadTask(with: request, from: Data(bytes))
        case .file(let path): task = session.uploadTask(with: request, fromFile: URL(fileURLWithPath: path))
        }
        router.register(task.taskIdentifier, exchange)
        task.resume()
        exchange.done.wait()
        router.unregister(task.taskIdentifier)
        let target = request.url?.absoluteString ?? "?"
        if let failure = exchange.failure { throw failure }
        guard let response = exchange.response else {
            throw ContainerError(
                .registry, "cannot reach \(target)", cause: exchange.transportError ?? "no answer")
        }
        return RegistryResponse(
            status: response.statusCode,
            headers: Self.headers(response),
            body: exchange.collected,
            interruption: exchange.transportError
        )
    }

    /// The headers of `response`, names lowercased.
    static func headers(_ response: HTTPURLResponse) -> [String: String] {
        Dictionary(
            response.allHeaderFields.compactMap { key, value in (key as? String).map { ($0.lowercased(), "\(value)") } },
            uniquingKeysWith: { first, _ in first })
    }

    // MARK: - Delegate

    /// The state of one request. Touched only on the session's serial delegate queue until
    /// `done` is signalled, then only by the waiting caller; the semaphore orders the two.
    private final class Exchange: @unchecked Sendable {
        let limit: Int
        let sink: (any RegistryBodySink)?
        let done = DispatchSemaphore(value: 0)
        var response: HTTPURLResponse?
        var collected: [UInt8] = []
        var failure: ContainerError?
        var transportError: String?

        init(limit: Int, sink: (any RegistryBodySink)?) {
            self.limit = limit
            self.sink = sink
        }

        var streaming: Bool { sink != nil && (200..<300).contains(response?.statusCode ?? 0) }
    }

    /// Routes the session's delegate calls to the exchange of each task.
    private final class Router: NSObject, URLSessionDataDelegate, Sendable {
        private let exchanges = Mutex<[Int: Exchange]>([:])

        func register(_ id: Int, _ exchange: Exchange) { exchanges.withLock { $0[id] = exchange } }
        func unregister(_ id: Int) { _ = exchanges.withLock { $0.removeValue(forKey: id) } }
        private func exchange(_ task: URLSessionTask) -> Exchange? {
            exchanges.withLock { $0[task.taskIdentifier] }
        }

        func urlSession(
            _ session: URLSession,
            dataTask: URLSessionDataTask,
            didReceive response: URLResponse,
            completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
        ) {
            guard let exchange = exchange(dataTask) else { return completionHandler(.allow) }
            exchange.response = response as? HTTPURLResponse
            if exchange.streaming, let sink = exchange.sink, let http = exchange.response {
                do { try sink.begin(status: http.statusCode, headers: RegistryHTTP.headers(http)) } catch {
                    exchange.failure = ContainerError.wrap(error, "starting a download")
                    return completionHandler(.cancel)
                }
            }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            guard let exchange = exchange(dataTask), exchange.failure == nil else { return }
            do {
                if exchange.streaming, let sink = exchange.sink {
                    try data.withUnsafeBytes { try sink.write($0) }
                } else if exchange.collected.count + data.count > exchange.limit {
                    throw ContainerError(
                        .registry, "the answer from \(dataTask.originalRequest?.url?.absoluteString ?? "?") is over \(exchange.limit) bytes")
                } else {
                    exchange.collected.append(contentsOf: data)
                }
            } catch {
                exchange.failure = ContainerError.wrap(error, "writing a download")
                dataTask.cancel()
            }
        }

        /// Corral answers `401` challenges itself (`RegistryClient.authorize`): URLSession must
        /// not, and left to its default handling of a `Basic` challenge it never completes the task.
        func urlSession(
            _ session: URLSession,
            task: URLSessionTask,
            didReceive challenge: URLAuthenticationChallenge,
            completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
        ) {
            completionHandler(.rejectProtectionSpace, nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            guard let exchange = exchange(task) else { return }
            if exchange.response == nil, let http = task.response as? HTTPURLResponse { exchange.response = http }
            if let error { exchange.transportError = error.localizedDescription }
            exchange.done.signal()
        }
    }
}
