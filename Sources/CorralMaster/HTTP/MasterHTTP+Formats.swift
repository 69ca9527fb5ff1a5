import CorralModel
import CorralProtobuf
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwiftProtobuf

/// How a request's body is encoded, and how the client wants the answer.
struct Negotiation: Sendable {
    /// The body's format, from `Content-Type`.
    var body: MessageFormat
    /// The answer's format (a stream's records), from `Accept` or, for RecordIO, `Message-Accept`.
    var answer: MessageFormat
    /// `Accept: application/recordio`: a stream is sent as `application/recordio`, its
    /// records' format named by `Message-Content-Type`.
    var recordIO: Bool

    /// JSON in, JSON out: the agent protocol and the v0 endpoints.
    static let json = Negotiation(body: .json, answer: .json, recordIO: false)
}

extension MasterHTTP {
    /// The formats of a v1 API request (scheduler or operator), as a Mesos master reads them:
    /// 415 for a body that is neither JSON nor protobuf, 406 when the client takes neither.
    func negotiate(_ request: Request) -> Result<Negotiation, RefusalResponse> {
        let contentType = request.headers[.contentType]
        guard let body = MessageFormat.body(contentType: contentType) else {
            return .failure(RefusalResponse(problem(
                .unsupportedMediaType,
                "Content-Type must be application/json or application/x-protobuf, not \(contentType ?? "")")))
        }
        let accept = request.headers[.accept]
        if MessageFormat.names("application/recordio", in: accept) {
            let messageAccept = request.headers[.messageAccept]
            guard let answer = MessageFormat.answer(accept: messageAccept) else {
                return .failure(RefusalResponse(problem(
                    .notAcceptable,
                    "stream records are application/json or application/x-protobuf; Message-Accept was \(messageAccept ?? "")")))
            }
            return .success(Negotiation(body: body, answer: answer, recordIO: true))
        }
        guard let answer = MessageFormat.answer(accept: accept) else {
            return .failure(RefusalResponse(problem(
                .notAcceptable,
                "this master answers application/json or application/x-protobuf; Accept was \(accept ?? "")")))
        }
        return .success(Negotiation(body: body, answer: answer, recordIO: false))
    }

    /// 415 or 406 unless the request is JSON in and JSON out: for the endpoints that speak
    /// JSON only (the agent protocol, the v0 endpoints).
    func checkMediaTypes(_ request: Request) -> Response? {
        switch negotiate(request) {
        case .failure(let refusal): return refusal.response
        case .success(let formats) where formats.body != .json:
            return problem(.unsupportedMediaType, "this endpoint speaks application/json only, not \(formats.body.mediaType)")
        case .success(let formats) where formats.answer != .json:
            return problem(.notAcceptable, "this endpoint answers application/json only, not \(formats.answer.mediaType)")
        case .success: return nil
        }
    }

    /// Reads a JSON body into `T`.
    func decodeBody<T: Decodable>(_ type: T.Type, _ request: Request) async -> Result<T, RefusalResponse> {
        await decodeBody(T.self, as: Google_Protobuf_Empty.self, format: .json, request)
    }

    /// Reads a body in `format` into `T`; a protobuf body is an `M`. 400 says what was wrong.
    func decodeBody<T: Decodable, M: SwiftProtobuf.Message>(
        _ type: T.Type, as message: M.Type, format: MessageFormat, _ request: Request
    ) async -> Result<T, RefusalResponse> {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            return .failure(RefusalResponse(problem(.contentTooLarge, "the body exceeds \(Self.maxBodyBytes) bytes")))
        }
        switch format {
        case .json:
            do {
                return .success(try MesosJSON.decode(T.self, from: buffer.readableBytesView))
            } catch {
                return .failure(RefusalResponse(problem(.badRequest, "malformed JSON: \(error.message)")))
            }
        case .protobuf:
            do {
                return .success(try ProtobufBridge.decode(T.self, as: M.self, from: buffer.readableBytesView))
            } catch {
                let cause = error.cause.map { " (\($0))" } ?? ""
                return .failure(RefusalResponse(problem(.badRequest, "malformed protobuf: \(error.message)\(cause)")))
            }
        }
    }

    /// A Mesos JSON answer in the negotiated format: protobuf answers are an `M`.
    func answer<M: SwiftProtobuf.Message>(_ value: JSONValue, _ format: MessageFormat, as message: M.Type) -> Response {
        guard format == .protobuf else { return jsonResponse(value) }
        do {
            var headers = HTTPFields()
            headers[.contentType] = MessageFormat.protobuf.mediaType
            let bytes = try ProtobufBridge.protobuf(fromJSON: value.encoded, as: M.self)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        } catch {
            master.logger.error("cannot answer in protobuf", metadata: ["error": "\(error)"])
            return problem(.internalServerError, "cannot write the answer as protobuf: \(error.message); ask for application/json")
        }
    }

    /// A chunked RecordIO response. When the stream or the client's connection ends, the
    /// leader hears of it (`end`) and ends the subscription. The leader's records are Mesos
    /// JSON; for a protobuf answer each is rewritten as an `M` and framed again.
    func streamResponse<M: SwiftProtobuf.Message>(
        _ request: Request, _ context: MasterRequestContext, _ records: RecordStream, extra: [HTTPField.Name: String],
        end: MasterLeader.StreamEnd, slot: StreamSlot? = nil, formats: Negotiation, as message: M.Type
    ) async -> Response {
        var headers = HTTPFields()
        headers[.contentType] = formats.recordIO ? "application/recordio" : formats.answer.mediaType
        if formats.recordIO { headers[.messageContentType] = formats.answer.mediaType }
        headers[.cacheControl] = "no-cache"
        for (name, value) in extra { headers[name] = value }
        let leader = master.leader
        let logger = master.logger
        if let watcher = try? await context.channel.pipeline.handler(type: ClientGoneHandler.self).get() {
            watcher.whenClientGone {
                slot?.release()
                leader.connectionClosed(end)
            }
        }
        let protobuf = formats.answer == .protobuf
        let body = ResponseBody { writer in
            var decoder = RecordIODecoder()
            do {
                for await record in records {
                    guard protobuf else {
                        try await writer.write(ByteBuffer(bytes: record))
                        continue
                    }
                    for json in try decoder.decode(record) {
                        do {
                            let event = try ProtobufBridge.protobuf(fromJSON: json, as: M.self)
                            try await writer.write(ByteBuffer(bytes: RecordIO.encode(event)))
                        } catch let error as ProtobufError {
                            logger.error("stream record dropped: not writable as protobuf", metadata: ["error": "\(error)"])
                        }
                    }
                }
                try await writer.finish(nil)
            } catch {
                // The client went away; the subscription ends below.
            }
            slot?.release()
            leader.connectionClosed(end)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// A JSON-only stream (the agent protocol).
    func streamResponse(
        _ request: Request, _ context: MasterRequestContext, _ records: RecordStream, extra: [HTTPField.Name: String],
        end: MasterLeader.StreamEnd
    ) async -> Response {
        let formats = Negotiation(
            body: .json, answer: .json, recordIO: MessageFormat.names("application/recordio", in: request.headers[.accept]))
        return await streamResponse(request, context, records, extra: extra, end: end, formats: formats, as: Google_Protobuf_Empty.self)
    }
}
