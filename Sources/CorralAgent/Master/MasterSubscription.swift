import CorralModel
import CorralScheduler
import Foundation
import NIOHTTP1

/// An open SUBSCRIBE stream to the leading master: its stream ID (for every other call), the
/// master it is on, and its events.
///
/// `events` yields every `AgentEvent` in order, SUBSCRIBED first. It finishes normally when
/// the master ends the stream or `close()` is called, and with a `MasterLinkError` when the
/// connection breaks, goes silent past the silence timeout, or sends something unreadable.
/// Either way the subscription is over: subscribe again. Dropping `events` closes it too.
public struct MasterSubscription: Sendable {
    /// The `Corral-Agent-Stream-Id` the master gave; every other call carries it.
    public let streamID: String
    /// The master that accepted the subscription (the leader when it answered).
    public let master: MasterAddress
    /// The events, in order.
    public let events: AsyncThrowingStream<AgentEvent, any Error>

    private let control: HTTPStreamControl
    private let reader: Task<Void, Never>

    /// Closes the connection; `events` finishes.
    public func close() {
        reader.cancel()
        control.close()
    }

    // MARK: - Opening

    /// What became of one SUBSCRIBE to one master.
    enum Attempt: Sendable {
        case open(MasterSubscription)
        /// `307`; the target is nil when the `Location` header was missing or unusable.
        case redirected(MasterAddress?)
        case failed(MasterLinkError)
    }

    /// What the response head said, handed from the reading task to `open`.
    private enum Head: Sendable {
        case stream(streamID: String, control: HTTPStreamControl)
        case redirected(MasterAddress?)
        case failed(MasterLinkError)
    }

    /// POSTs a SUBSCRIBE to `master` and waits for the response head. On `200` the body keeps
    /// being read by a task that belongs to the returned subscription: the connection must
    /// outlive this call, so it cannot be a child task. That task ends when the body ends, on
    /// `close()`, or when `events` is dropped.
    static func open(
        _ request: HTTPStreamRequest, to master: MasterAddress, client: HTTPStreamClient, silence: Duration?
    ) async -> Attempt {
        let (events, sink) = AsyncThrowingStream<AgentEvent, any Error>.makeStream()
        let (heads, headSink) = AsyncStream<Head>.makeStream()
        let reader = Task {
            await read(request, from: master, client: client, silence: silence, heads: headSink, events: sink)
        }
        sink.onTermination = { _ in reader.cancel() }
        let head = await withTaskCancellationHandler {
            var iterator = heads.makeAsyncIterator()
            return await iterator.next()
        } onCancel: {
            reader.cancel()
        }
        switch head {
        case .stream(let streamID, let control):
            // Whoever drops `events` also closes the connection, not only the reading task.
            sink.onTermination = { _ in
                reader.cancel()
                control.close()
            }
            return .open(
                MasterSubscription(streamID: streamID, master: master, events: events, control: control, reader: reader))
        case .redirected(let target):
            return .redirected(target)
        case .failed(let error):
            return .failed(error)
        case nil:
            reader.cancel()
            return .failed(MasterLinkError(.cancelled, "SUBSCRIBE to \(master) was cancelled", master: master))
        }
    }

    /// Runs on the reader task: sends the request, reports the head, then pumps the body's
    /// RecordIO records into `events` as `AgentEvent`s.
    private static func read(
        _ request: HTTPStreamRequest, from master: MasterAddress, client: HTTPStreamClient, silence: Duration?,
        heads: AsyncStream<Head>.Continuation, events: AsyncThrowingStream<AgentEvent, any Error>.Continuation
    ) async {
        do {
            try await client.stream(request, host: master.host, port: master.port) { response in
                let status = Int(response.status.code)
                switch status {
                case 200:
                    break
                case 307:
                    heads.yield(.redirected(response.headers.first(name: "Location").flatMap(MasterAddress.init(location:))))
                    heads.finish()
                    return
                default:
                    let text = await MasterLink.message(from: response.body)
                    heads.yield(.failed(.answer(status, text, call: "SUBSCRIBE", master: master)))
                    heads.finish()
                    return
                }
                guard let streamID = response.headers.first(name: "Corral-Agent-Stream-Id"), !streamID.isEmpty else {
                    heads.yield(.failed(MasterLinkError(
                        .protocolViolation, "\(master) answered SUBSCRIBE without a Corral-Agent-Stream-Id header",
                        status: status, master: master)))
                    heads.finish()
                    return
                }
                response.control.setReadTimeout(silence)
                heads.yield(.stream(streamID: streamID, control: response.control))
                heads.finish()
                var decoder = RecordIODecoder()
                for try await chunk in response.body {
                    for record in try decoder.decode(chunk.readableBytesView) {
                        events.yield(try MesosJSON.decode(AgentEvent.self, from: record))
                    }
                }
                try decoder.finish()
            }
            heads.yield(.failed(MasterLinkError(.connectionClosed, "\(master) closed SUBSCRIBE without an answer", master: master)))
            heads.finish()
            events.finish()
        } catch {
            heads.yield(.failed(.transport(error, call: "SUBSCRIBE", master: master)))
            heads.finish()
            if Task.isCancelled {
                events.finish()
            } else if let error = error as? ModelError {
                events.finish(throwing: MasterLinkError(
                    .protocolViolation, "\(master) sent an unreadable event: \(error)", master: master))
            } else {
                events.finish(throwing: MasterLinkError.transport(error, call: "the event stream", master: master))
            }
        }
    }
}
