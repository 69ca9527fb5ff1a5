import CorralModel
import NIOCore
import NIOHTTP1

/// Serves one connection of a `MasterDouble`. Used on the connection's event loop only.
final class MasterDoubleHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let shared: MasterDouble.Shared
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(shared: MasterDouble.Shared) {
        self.shared = shared
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            self.head = nil
            handle(head, body, context: context)
        }
    }

    // MARK: - Requests

    private func handle(_ head: HTTPRequestHead, _ body: [UInt8], context: ChannelHandlerContext) {
        guard head.method == .POST, head.uri == "/api/v1/scheduler" else {
            return respond(.notFound, context: context)
        }
        guard let call = try? MesosJSON.decode(SchedulerCall.self, from: body) else {
            return respond(.badRequest, body: "cannot decode the call", context: context)
        }
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        let state = shared.state.withLock { state in
            state.calls.append(.init(call: call, headers: headers))
            return state
        }
        guard call.type == .subscribe else {
            guard let answer = state.callAnswer else { return respond(.accepted, context: context) }
            return respond(answer.status, location: answer.location, body: answer.body, context: context)
        }
        switch state.behavior {
        case .redirect(let location):
            respond(.temporaryRedirect, location: location, context: context)
        case .unavailable:
            respond(.serviceUnavailable, body: "No leading master", context: context)
        case .lead:
            openStream(context: context)
        }
    }

    private func openStream(context: ChannelHandlerContext) {
        let channel = context.channel
        let (streamID, frameworkID, heartbeat) = shared.state.withLock { state in
            state.streamCount += 1
            let streamID = "stream-\(state.streamCount)"
            state.streams[streamID] = channel
            return (streamID, state.frameworkID, state.heartbeatSeconds)
        }
        let shared = self.shared
        channel.closeFuture.whenComplete { _ in
            shared.state.withLock { _ = $0.streams.removeValue(forKey: streamID) }
        }
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        head.headers.add(name: "Mesos-Stream-Id", value: streamID)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let subscribed = SchedulerEvent.subscribed(frameworkID, heartbeatIntervalSeconds: heartbeat)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(Self.record(subscribed)))), promise: nil)
        let interval = TimeAmount.nanoseconds(Int64(heartbeat * 1e9))
        let heartbeats = channel.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) {
            _ in
            guard !shared.state.withLock({ $0.silent }) else { return }
            let part = HTTPServerResponsePart.body(.byteBuffer(Self.record(SchedulerEvent(type: .heartbeat))))
            channel.writeAndFlush(part, promise: nil)
        }
        channel.closeFuture.whenComplete { _ in heartbeats.cancel() }
    }

    private static func record(_ event: SchedulerEvent) -> ByteBuffer {
        ByteBuffer(bytes: RecordIO.encode((try? MesosJSON.encode(event)) ?? []))
    }

    private func respond(
        _ status: HTTPResponseStatus,
        location: String? = nil,
        body: String = "",
        context: ChannelHandlerContext
    ) {
        var head = HTTPResponseHead(version: .http1_1, status: status)
        head.headers.add(name: "Content-Length", value: String(body.utf8.count))
        if let location { head.headers.add(name: "Location", value: location) }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
