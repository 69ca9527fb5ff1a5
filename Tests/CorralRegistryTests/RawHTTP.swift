import CorralTestSupport
import Foundation
import Glibc

/// Bytes over a plain TCP connection to 127.0.0.1, for requests an HTTP client will not send:
/// a path with `..` left in, or a body cut short of its `Content-Length`.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to `port`, sends `request`, and returns everything the server sends until it
    /// closes the connection (at most 10 s).
    static func exchange(port: Int, _ request: [UInt8]) throws -> String {
        String(decoding: try exchangeBytes(port: port, request, seconds: 10, timeoutEnds: true), as: UTF8.self)
    }

    /// `exchange`'s bytes, waiting at most `seconds` for each read; a read that times out
    /// ends the answer when `timeoutEnds`, and is an error otherwise.
    static func exchangeBytes(
        port: Int, _ request: [UInt8], seconds: Int, timeoutEnds: Bool = false, isComplete: ([UInt8]) -> Bool = { _ in false }
    ) throws -> [UInt8] {
        let descriptor = try connect(port: port)
        defer { close(descriptor) }
        try send(descriptor, request)
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                if !timeoutEnds && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    throw Failure(description: "no answer from 127.0.0.1:\(port) within \(seconds) s (\(answer.count) bytes so far)")
                }
                break  // reset after the answer: what came is the answer
            }
            answer.append(contentsOf: buffer[0..<count])
            if isComplete(answer) { break }
        }
        return answer
    }

    /// A connected socket to 127.0.0.1:`port`.
    static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure(description: "connect to 127.0.0.1:\(port): errno \(errno)")
        }
        return descriptor
    }

    /// Writes all of `bytes` to `descriptor`.
    static func send(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += count
        }
    }
}

/// Runs a command-line tool to its end and collects its output.
enum RunTool {
    /// Runs `path` with `arguments` (in `environment` alone, when given); stdout and stderr
    /// together in `output`.
    static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> CombinedOutput.Run {
        try CombinedOutput.run(path, arguments, environment: environment ?? [:], inherit: environment == nil)
    }
}
