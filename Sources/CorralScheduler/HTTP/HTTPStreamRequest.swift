import NIOCore
import NIOHTTP1

/// One HTTP/1.1 request for `HTTPStreamClient`: method, path, headers and a body.
///
/// `Host` and `Content-Length` are added when the request is sent.
public struct HTTPStreamRequest: Sendable {
    /// The method, e.g. `.POST`.
    public var method: HTTPMethod
    /// The request target, e.g. `/api/v1/scheduler`.
    public var path: String
    /// Extra headers.
    public var headers: HTTPHeaders
    /// The body; empty for none.
    public var body: [UInt8]

    /// Makes a request.
    public init(method: HTTPMethod = .GET, path: String, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// A complete HTTP response: status, headers and the whole body.
public struct HTTPBufferedResponse: Sendable {
    /// The status, e.g. `.accepted`.
    public var status: HTTPResponseStatus
    /// The headers.
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    /// Makes a response.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders, body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
