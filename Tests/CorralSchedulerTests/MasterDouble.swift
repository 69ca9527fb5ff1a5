import CorralModel
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A test double of a master's `/api/v1/scheduler` endpoint on 127.0.0.1, port 0.
///
/// It answers SUBSCRIBE with a RecordIO stream (SUBSCRIBED, then HEARTBEATs), a `307` or a
/// `503` depending on `behavior`; records every call with its headers; answers other calls
/// `202` (or a chosen status); and can push events, drop streams and go silent.
final class MasterDouble: Sendable {
    /// How SUBSCRIBE is answered.
    enum Behavior: Sendable {
        case lead
        case redirect(location: String)
        case unavailable
    }

    /// A call as received.
    struct RecordedCall: Sendable {
        let call: SchedulerCall
        /// Header names lowercased.
        let headers: [String: String]
    }

    struct State {
        var behavior: Behavior
        var frameworkID: FrameworkID
        var heartbeatSeconds: Double
        var silent = false
        var calls: [RecordedCall] = []
        var streams: [String: any Channel] = [:]
        var children: [ObjectIdentifier: any Channel] = [:]
        var streamCount = 0
        var callAnswer: (status: HTTPResponseStatus, location: String?, body: String)?
    }

    let port: Int
    let shared: Shared
    private let server: Mutex<(any Channel)?>

    /// The double's state, shared with the connection handlers.
    final class Shared: Sendable {
        let state: Mutex<State>
        init(_ state: State) { self.state = Mutex(state) }
    }

    /// `127.0.0.1:<port>`.
    var address: String { "127.0.0.1:\(port)" }

    private init(port: Int, shared: Shared, server: any Channel) {
        self.port = port
        self.shared = shared
        self.server = Mutex(server)
    }

    /// Starts a double that behaves as `behavior`.
    static func start(
        _ behavior: Behavior = .lead,
        frameworkID: FrameworkID = "fw-1",
        heartbeatSeconds: Double = 0.2
    ) async throws -> MasterDouble {
        let shared = Shared(
            State(behavior: behavior, frameworkID: frameworkID, heartbeatSeconds: heartbeatSeconds)
        )
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MasterDoubleHandler(shared: shared))
                    let key = ObjectIdentifier(channel)
                    shared.state.withLock { $0.children[key] = channel }
                    channel.closeFuture.whenComplete { _ in
                        shared.state.withLock { _ = $0.children.removeValue(forKey: key) }
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        guard let port = server.localAddress?.port else {
            try await server.close()
            throw DoubleError("the double's server has no port")
        }
        return MasterDouble(port: port, shared: shared, server: server)
    }

    // MARK: - Control

    func setBehavior(_ behavior: Behavior) { shared.state.withLock { $0.behavior = behavior } }

    /// Answers calls other than SUBSCRIBE with `status` (nil: `202`).
    func answerCalls(_ status: HTTPResponseStatus?, location: String? = nil, body: String = "") {
        let answer = status.map { (status: $0, location: location, body: body) }
        shared.state.withLock { $0.callAnswer = answer }
    }

    /// Stops (or resumes) heartbeats on every stream.
    func setSilent(_ silent: Bool) { shared.state.withLock { $0.silent = silent } }

    /// Writes an event to every open stream.
    func send(_ event: SchedulerEvent) throws {
        let record = RecordIO.encode(try MesosJSON.encode(event))
        for channel in shared.state.withLock({ Array($0.streams.values) }) {
            channel.writeAndFlush(
                HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: record))),
                promise: nil
            )
        }
    }

    /// Closes every open stream.
    func dropStreams() {
        for channel in shared.state.withLock({ Array($0.streams.values) }) { channel.close(promise: nil) }
    }

    // MARK: - Observations

    var calls: [RecordedCall] { shared.state.withLock { $0.calls } }
    var subscribes: [RecordedCall] { calls.filter { $0.call.type == .subscribe } }
    var openStreamIDs: [String] { shared.state.withLock { Array($0.streams.keys) } }

    /// Closes the server and every connection.
    func shutdown() async {
        let server = self.server.withLock { server in
            defer { server = nil }
            return server
        }
        let children = shared.state.withLock { Array($0.children.values) }
        for child in children { try? await child.close() }
        try? await server?.close()
    }
}

/// Why a double could not do what a test asked.
struct DoubleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
