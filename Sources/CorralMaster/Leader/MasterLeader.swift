import CorralSecurity
import CorralModel
import CorralRaft
import CorralReplication
import CorralStore
import Foundation
import Logging

/// A stream of RecordIO-framed JSON records for one HTTP subscriber.
typealias RecordStream = AsyncStream<[UInt8]>

/// The leader's duties: the allocator and its offers, the scheduler and agent streams, and
/// the timers (heartbeats, update retries, agent timeouts, the replicated clock). Everything
/// here is leader-local and rebuilt from the registry when this master is elected; every
/// decision that must survive a fail-over is proposed to the registry first.
actor MasterLeader {
    enum Phase: Equatable {
        case following
        /// Elected at `term`, still applying the log up to its first commit.
        case recovering(term: UInt64)
        case leading(term: UInt64)
    }

    let config: MasterConfig
    let machine: MasterStateMachine
    let server: RaftServer
    let logger: Logger
    /// Where the leader records its allocation cycle times; nil: metrics are off.
    let metrics: MasterMetrics?
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant

    var phase: Phase = .following
    /// The timers, agent liveness, connected schedulers, update forwarding, the offer book and
    /// the allocator with its charges (`LeaderStateMachine`).
    var core: LeaderStateMachine
    /// The open stream of each scheduler and agent `core` counts as connected.
    var schedulerStreams: [FrameworkID: RecordStream.Continuation] = [:]
    var agentStreams: [AgentID: RecordStream.Continuation] = [:]
    var operators: [String: RecordStream.Continuation] = [:]
    /// Streams opened for a call whose answer has not been taken yet, by stream ID.
    var opened: [String: RecordStream] = [:]
    /// The calls waiting for `core`'s answer.
    var waiting: [CallID: CheckedContinuation<LeaderStateMachine.Answer, Never>] = [:]
    var lastCall: UInt64 = 0
    /// `run` has returned: calls are refused.
    var stopped = false

    let changes: AsyncStream<[RegistryChange]>
    let changeSink: AsyncStream<[RegistryChange]>.Continuation
    let roles: AsyncStream<(RaftRole, UInt64)>
    let roleSink: AsyncStream<(RaftRole, UInt64)>.Continuation
    let ends: AsyncStream<StreamEnd>
    let endSink: AsyncStream<StreamEnd>.Continuation
    let proposals: AsyncStream<RegistryCommand>
    let proposalSink: AsyncStream<RegistryCommand>.Continuation
    let commits: AsyncStream<(RegistryCommand, LeaderStateMachine.Continuation)>
    let commitSink: AsyncStream<(RegistryCommand, LeaderStateMachine.Continuation)>.Continuation

    init(
        config: MasterConfig, machine: MasterStateMachine, server: RaftServer, logger: Logger, metrics: MasterMetrics? = nil,
        acls: ACLs? = nil
    ) {
        self.config = config
        self.metrics = metrics
        self.machine = machine
        self.server = server
        self.logger = logger
        started = clock.now
        core = LeaderStateMachine(
            timing: LeaderStateMachine.Timing(config.scheduling), allocator: Self.makeAllocator(config.scheduling), now: started)
        core.masterInfo = Self.masterInfo(config)
        core.acls = acls
        (changes, changeSink) = AsyncStream.makeStream(of: [RegistryChange].self)
        (roles, roleSink) = AsyncStream.makeStream(of: (RaftRole, UInt64).self)
        (proposals, proposalSink) = AsyncStream.makeStream(of: RegistryCommand.self)
        (commits, commitSink) = AsyncStream.makeStream(of: (RegistryCommand, LeaderStateMachine.Continuation).self)
        (ends, endSink) = AsyncStream.makeStream(of: StreamEnd.self)
        let changeSink = self.changeSink
        machine.observe { changeSink.yield($0) }
    }

    static func makeAllocator(_ scheduling: SchedulingConfig) -> any Allocator {
        LeaderStateMachine.makeAllocator(scheduling)
    }

    /// Runs the leader's loops until cancelled.
    func run() async {
        let roleSink = self.roleSink
        await server.observeRoles { role, term, _ in roleSink.yield((role, term)) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await (role, term) in self.roles { await self.roleChanged(role, term: term) } }
            group.addTask { for await batch in self.changes { await self.registryChanged(batch) } }
            group.addTask { await self.proposeQueued() }
            group.addTask { await self.commitQueued() }
            group.addTask { for await end in self.ends { await self.streamEnded(end) } }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(50))
                    await self.housekeeping()
                }
            }
            await group.next()
            group.cancelAll()
        }
        stepDown()
        stopped = true
        // Calls still waiting for a commit would wait for ever: nothing carries commits out now.
        let stopping = MasterError(code: .unavailable, message: "this master is stopping; retry on another")
        for continuation in waiting.values { continuation.resume(returning: .failed(stopping)) }
        waiting = [:]
    }

    // MARK: - Leadership

    var term: UInt64? {
        if case .leading(let term) = phase { return term }
        return nil
    }

    private func roleChanged(_ role: RaftRole, term: UInt64) async {
        switch (role, phase) {
        case (.leader, .following):
            phase = .recovering(term: term)
            await activate(term: term)
        case (.leader, _):
            break
        default:
            if phase != .following { stepDown() }
        }
    }

    /// Catches up with the log, then rebuilds the allocator from the registry.
    private func activate(term: UInt64) async {
        do {
            try await server.linearizableRead()
        } catch {
            logger.notice("elected, but could not confirm leadership", metadata: ["term": "\(term)"])
            if phase == .recovering(term: term) { stepDown() }
            return
        }
        guard phase == .recovering(term: term) else { return }
        let actions = core.elect(term: term, allocator: Self.makeAllocator(config.scheduling), in: context())
        phase = .leading(term: term)
        perform(actions)
    }

    /// Leadership is lost: close every stream; the new leader's clients reconnect there.
    func stepDown() {
        if phase != .following { logger.info("no longer leading; closing scheduler and agent streams") }
        phase = .following
        for stream in schedulerStreams.values { stream.finish() }
        for stream in agentStreams.values { stream.finish() }
        closeOperatorStreams()
        schedulerStreams = [:]
        agentStreams = [:]
        core.stepDown(allocator: Self.makeAllocator(config.scheduling), now: clock.now)
    }

    /// Throws unless this master leads and has caught up.
    func requireLeading() throws(MasterError) -> UInt64 {
        switch phase {
        case .leading(let term): return term
        case .recovering: throw MasterError(code: .unavailable, message: "this master was just elected and is catching up; retry shortly")
        case .following: throw MasterError(code: .notLeader, message: "this master is not the leader")
        }
    }

    // MARK: - Subscriber streams

    /// A subscription whose stream or connection ended.
    enum StreamEnd: Sendable {
        case scheduler(FrameworkID, String)
        case agent(AgentID, String)
        case operatorStream(String)
    }

    /// Reports, from any thread, that a subscriber's stream or connection ended; saying so
    /// twice is harmless.
    nonisolated func connectionClosed(_ end: StreamEnd) {
        endSink.yield(end)
    }

    private func streamEnded(_ end: StreamEnd) {
        switch end {
        case .scheduler(let id, let streamID): schedulerStreamEnded(id, streamID: streamID)
        case .agent(let id, let streamID): agentStreamEnded(id, streamID: streamID)
        case .operatorStream(let id): operatorStreamEnded(id)
        }
    }

    // MARK: - Proposals and time

    /// What `core` reads besides its own state: the time, the wall clock and the registry.
    func context() -> LeaderContext {
        LeaderContext(now: clock.now, wall: WallClock.nanos(), registry: machine.registry, clockMoved: machine.lastClockMove)
    }

    /// The replicated clock in nanoseconds (`LeaderStateMachine.nanos`).
    func nowNanos() -> UInt64 {
        core.nanos(context())
    }

    /// Proposes a command without waiting: its effects arrive as registry changes. A failure
    /// is logged; the timers propose again whatever still needs deciding.
    nonisolated func propose(_ command: RegistryCommand) {
        proposalSink.yield(command)
    }

    private nonisolated func proposeQueued() async {
        let server = self.server
        let logger = self.logger
        await withDiscardingTaskGroup { group in
            for await command in proposals {
                group.addTask {
                    // Never proposed again from here, whatever the answer: an unknown outcome
                    // may still be committed, so retrying it as new could apply it twice.
                    do { _ = try await server.propose(command.encoded) } catch let error as ReplicationError where error.code == .outcomeUnknown {
                        logger.notice("background proposal outcome unknown", metadata: ["error": "\(error)"])
                    } catch {
                        logger.notice("background proposal not applied", metadata: ["error": "\(error)"])
                    }
                }
            }
        }
    }

    /// Commits what `core` asked to commit and hands each outcome back to it.
    private nonisolated func commitQueued() async {
        let server = self.server
        await withDiscardingTaskGroup { group in
            for await (command, continuation) in commits {
                group.addTask {
                    let result: Result<RegistryOutcome, any Error>
                    do {
                        result = .success(RegistryOutcome(decoding: try await server.propose(command.encoded)))
                    } catch {
                        result = .failure(error)
                    }
                    await self.resume(continuation, with: result)
                }
            }
        }
    }
}
