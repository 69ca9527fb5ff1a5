import CorralTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP server double that answers every request with the next canned response
/// (raw HTTP bytes), or holds the connection open without answering when the next one is
/// `nil`; for testing how a client classifies answers. `close()` stops it.
final class CannedHTTPServerDouble: @unchecked Sendable {
    // @unchecked: `responses` and `held` are only touched under `lock`; `listener` is set once in init.
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var responses: [String?]
    private var held: [Int32] = []

    init(responses: [String?]) throws {
        self.responses = responses
        let (fd, bound) = try LoopbackPort.bind(listening: 16)
        listener = fd
        port = bound
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    func close() {
        shutdown(listener, Int32(SHUT_RDWR))
        for connection in lock.withLock({ held }) { Glibc.close(connection) }
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {  // close() shut the listener down
                Glibc.close(listener)
                return
            }
            var buffer = [UInt8](repeating: 0, count: 65536)
            _ = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            let next: String?? = lock.withLock { responses.isEmpty ? .none : .some(responses.removeFirst()) }
            guard case .some(.some(let response)) = next else {
                lock.withLock { held.append(connection) }  // never answered: left open until close()
                continue
            }
            let bytes = Array(response.utf8)
            _ = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            Glibc.close(connection)
        }
    }
}
