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
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0, listen(fd, 16) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw HarnessError("the HTTP double could not listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
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
