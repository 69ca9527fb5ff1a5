import NIOCore
import NIOHTTP1

/// A response whose body is read as it arrives, inside `HTTPStreamClient.stream`.
///
/// Not `Sendable`: the body belongs to the task that runs the `stream` closure. Use
/// `control` (which is `Sendable`) to close the connection or change its read timeout
/// from elsewhere.
public struct HTTPStreamResponse {
    /// The status, e.g. `.ok`.
    public let status: HTTPResponseStatus
    /// The headers.
    public let headers: HTTPHeaders
    /// The body, chunk by chunk; iterate it once.
    public let body: HTTPBodyStream
    /// Closes the connection or changes its read timeout.
    public let control: HTTPStreamControl
}

/// The chunks of a response body as they arrive. Ends when the response ends; throws
/// `SchedulerError` `.connectionClosed` if the connection closes first, or `.timedOut`
/// when the read timeout passes. Iterate it once.
public struct HTTPBodyStream: AsyncSequence {
    /// One chunk of the body, as received.
    public typealias Element = ByteBuffer

    private let base: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator

    init(_ base: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator) {
        self.base = base
    }

    /// Starts reading the body.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base) }

    /// Reads the body chunk by chunk.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        var finished = false

        /// The next chunk, or nil at the end of the body.
        public mutating func next() async throws -> ByteBuffer? {
            guard !finished else { return nil }
            do {
                while let part = try await base.next() {
                    switch part {
                    case .body(let buffer):
                        return buffer
                    case .end:
                        finished = true
                        return nil
                    case .head:
                        finished = true
                        throw SchedulerError(
                            .protocolViolation,
                            "a second response head arrived inside a body"
                        )
                    }
                }
            } catch {
                finished = true
                throw SchedulerError.wrapping(error, .connectionClosed, "reading the response body failed")
            }
            finished = true
            throw SchedulerError(.connectionClosed, "the connection closed before the response body ended")
        }
    }
}
