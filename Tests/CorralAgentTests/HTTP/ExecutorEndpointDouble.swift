import CorralAgent
import CorralModel
import Synchronization

/// An `ExecutorEndpoint` for the HTTP tests: it knows one executor, answers its SUBSCRIBE with
/// SUBSCRIBED and LAUNCH, records UPDATE and MESSAGE calls, and refuses everything else the
/// way the agent's state machine does (`AgentExecutorTests` covers those rules).
final class ExecutorEndpointDouble: ExecutorEndpoint {
    static let framework = FrameworkID("f1")
    static let executor = ExecutorID("exec-1")

    private struct State {
        var accepted: [ExecutorCall] = []
        var streams: [AsyncStream<[UInt8]>.Continuation] = []
    }

    private let state = Mutex(State())

    var accepted: [ExecutorCall] { state.withLock { $0.accepted } }

    func subscribe(_ call: ExecutorCall) async -> Result<ExecutorEventStream, ExecutorCallRefusal> {
        guard call.frameworkID == Self.framework, call.executorID == Self.executor else {
            return .failure(ExecutorCallRefusal(status: 400, message: "executor \(call.executorID.value) does not run on this agent"))
        }
        let (records, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        var subscribed = ExecutorEvent(type: .subscribed)
        subscribed.subscribed = ExecutorEvent.Subscribed(
            executorInfo: ExecutorInfo(executorID: Self.executor, frameworkID: Self.framework),
            frameworkInfo: FrameworkInfo(user: "root", name: "test", id: Self.framework),
            agentInfo: AgentInfo(hostname: "node-1", resources: []), containerID: ContainerID("c1"))
        var launch = ExecutorEvent(type: .launch)
        launch.launch = ExecutorEvent.Launch(task: TaskInfo(name: "t1", taskID: "t1", agentID: "a1"))
        for event in [subscribed, launch] {
            // Encoding these fixed events cannot fail.
            continuation.yield(RecordIO.encode((try? MesosJSON.encode(event)) ?? []))
        }
        state.withLock { $0.streams.append(continuation) }
        return .success(ExecutorEventStream(records: records))
    }

    func accept(_ call: ExecutorCall) async -> ExecutorCallRefusal? {
        if call.type == .update, call.update?.status.uuid == nil {
            return ExecutorCallRefusal(status: 400, message: "the status of an UPDATE needs a 16-byte \"uuid\" (base64)")
        }
        state.withLock { $0.accepted.append(call) }
        return nil
    }

    /// Ends every subscription stream (so a server can shut down).
    func finishAll() {
        for continuation in state.withLock({ $0.streams }) { continuation.finish() }
    }
}
