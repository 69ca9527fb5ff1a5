import CorralModel
import Logging

extension MasterLeader {
    /// Runs every few tens of milliseconds: what `core` finds due (allocation, offer
    /// timeouts, heartbeats, update retries, agent timeouts, the replicated clock).
    func housekeeping() {
        guard let allocationTime = metrics?.allocationCycle else { return step(.tick) }
        let cycles = core.allocationCycles
        let start = clock.now
        step(.tick)
        if core.allocationCycles != cycles { allocationTime.record(clock.now - start) }
    }

    /// Feeds `core` an input at the current time and carries out what it decides.
    func step(_ input: LeaderStateMachine.Input) {
        perform(core.step(input, in: context()))
    }

    /// Hands `core` a call and waits for its answer (which may come after commits).
    func call(_ body: (inout LeaderStateMachine, CallID, LeaderContext) -> [LeaderStateMachine.Action]) async
        -> LeaderStateMachine.Answer
    {
        if stopped { return .failed(MasterError(code: .unavailable, message: "this master is stopping; retry on another")) }
        lastCall += 1
        let id = CallID(value: lastCall)
        let actions = body(&core, id, context())
        return await withCheckedContinuation { continuation in
            waiting[id] = continuation
            perform(actions)
        }
    }

    /// Goes on with what waited for a commit.
    func resume(
        _ continuation: LeaderStateMachine.Continuation,
        with result: Result<RegistryOutcome, any Error>
    ) {
        perform(core.resume(continuation, with: result, in: context()))
    }

    /// Does what `core` decided: the streams, the proposals, the answers and the log.
    func perform(_ actions: [LeaderStateMachine.Action]) {
        for action in actions {
            switch action {
            case .toScheduler(let id, let event):
                schedulerStreams[id]?.yield(Self.record(event))
            case .toAgent(let id, let event):
                agentStreams[id]?.yield(Self.record(event))
            case .closeScheduler(let id, let last):
                guard let stream = schedulerStreams.removeValue(forKey: id) else { continue }
                if let last { stream.yield(Self.record(last)) }
                stream.finish()
            case .closeAgent(let id, let last):
                guard let stream = agentStreams.removeValue(forKey: id) else { continue }
                if let last { stream.yield(Self.record(last)) }
                stream.finish()
            case .heartbeatOperators:
                for (_, stream) in operators { stream.yield(RecordIO.encode(Self.operatorHeartbeat)) }
            case .propose(let command):
                propose(command)
            case .commit(let command, let then):
                commitSink.yield((command, then))
            case .openScheduler(let id, let streamID, let first):
                let (stream, sink) = RecordStream.makeStream()
                sink.yield(Self.record(first))
                schedulerStreams[id] = sink
                opened[streamID] = stream
            case .openAgent(let id, let streamID, let first):
                let (stream, sink) = RecordStream.makeStream()
                sink.yield(Self.record(first))
                agentStreams[id] = sink
                opened[streamID] = stream
            case .reply(let id, let answer):
                waiting.removeValue(forKey: id)?.resume(returning: answer)
            case .log(let line):
                let metadata = line.metadata.mapValues { Logger.MetadataValue.string($0) }
                switch line.level {
                case .info: logger.info("\(line.message)", metadata: metadata)
                case .notice: logger.notice("\(line.message)", metadata: metadata)
                case .warning: logger.warning("\(line.message)", metadata: metadata)
                }
            }
        }
    }

    /// The stream a call's answer names, taken from those opened.
    func takeStream(_ streamID: String) -> RecordStream {
        opened.removeValue(forKey: streamID) ?? RecordStream { $0.finish() }
    }

    static let operatorHeartbeat: [UInt8] = Array(#"{"type":"HEARTBEAT"}"#.utf8)

    static func record(_ event: some Encodable) -> [UInt8] {
        RecordIO.encode((try? MesosJSON.encode(event)) ?? [])
    }
}
