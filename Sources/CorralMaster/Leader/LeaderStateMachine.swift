import CorralSecurity
import CorralModel
import Foundation

/// The leader's decisions that depend only on what it was told and on the time it is given,
/// as a value: `MasterLeader` feeds it inputs and carries out the effects it returns, the way
/// `RaftServer` wraps `RaftNode`, so the rules run under a manual clock in unit tests and, in
/// time, under the simulator. It holds the timers (allocation cadence, heartbeats, update
/// retries, the replicated clock's ticks) and agent liveness: which agents have a stream to
/// this leader, when each was last heard, and until when a silent or disconnected agent may
/// come back before it is proposed unreachable; which schedulers are connected, and which
/// status update each task's scheduler was last sent; the outstanding offers. The rest of the leader (offers,
/// accepts, the commits its calls wait for) still lives in `MasterLeader` and moves here
/// piece by piece.
package struct LeaderStateMachine {
    package typealias Instant = ContinuousClock.Instant

    /// The intervals and timeouts of `SchedulingConfig`, as durations.
    package struct Timing: Equatable {
        var allocationInterval: Duration
        var schedulerHeartbeat: Duration
        var agentHeartbeat: Duration
        var updateRetry: Duration
        /// How long an agent may be silent, or away after its stream ended.
        var agentTimeout: Duration
        /// How long the agents a new leader finds active have to reach it.
        var electionGrace: Duration
        /// How often the replicated clock may be moved on for a due fail-over deadline.
        var clockTick: Duration = .milliseconds(250)
        /// The intervals schedulers and agents are told in SUBSCRIBED, in seconds.
        var schedulerHeartbeatSeconds: Double
        var agentHeartbeatSeconds: Double
        /// How long schedulers connected to an old leader have to reach a new one.
        var frameworkGraceNanos: UInt64

        package init(_ scheduling: SchedulingConfig) {
            schedulerHeartbeatSeconds = scheduling.heartbeatIntervalSeconds
            agentHeartbeatSeconds = scheduling.agentHeartbeatSeconds
            frameworkGraceNanos = UInt64(scheduling.failoverGraceSeconds * 1e9)
            allocationInterval = .milliseconds(scheduling.allocationIntervalMilliseconds)
            schedulerHeartbeat = .seconds(scheduling.heartbeatIntervalSeconds)
            agentHeartbeat = .seconds(scheduling.agentHeartbeatSeconds)
            updateRetry = .seconds(scheduling.updateRetrySeconds)
            agentTimeout = .seconds(scheduling.agentTimeoutSeconds)
            electionGrace = .seconds(max(scheduling.agentTimeoutSeconds, scheduling.failoverGraceSeconds))
        }
    }

    /// An agent's stream to this leader.
    package struct AgentLink: Equatable {
        var streamID: String
        var lastSeen: Instant
        /// The IP the agent's connection came from (its pid's host, as libprocess has it).
        var ip: String?
    }

    package enum Input {
        /// Time passed (the leader's housekeeping runs every few tens of milliseconds).
        case tick
        /// This master leads now and has caught up; `activeAgents` are the registry's.
        case elected(activeAgents: [AgentID])
        case steppedDown
        case agentSubscribed(AgentID, streamID: String, ip: String?)
        /// A call came on the agent's current stream.
        case agentHeard(AgentID)
        case agentStreamEnded(AgentID, streamID: String)
        /// The registry no longer counts the agent as active (unreachable, gone, removed).
        case agentDeactivated(AgentID)
        /// Something changed that may make new offers: allocate at the next tick.
        case allocationWanted
        /// An allocation cycle ran.
        case allocated
        /// A replicated clock tick was proposed.
        case clockTicked
        /// A framework's scheduler subscribed with a new stream (replacing any older one).
        case schedulerSubscribed(FrameworkID, streamID: String)
        case schedulerStreamEnded(FrameworkID, streamID: String)
        case frameworkRemoved(FrameworkID)
        /// A task's record changed, or its scheduler came back: its oldest unacknowledged
        /// update goes out unless it already did; `resend` sends it again all the same.
        case taskChanged(TaskRecord, resend: Bool)
        /// A task ended and its record left the leader's concern.
        case taskReleased(TaskKey)
    }

    enum Effect: Equatable {
        /// Expire offers and run an allocation cycle.
        case allocate
        case heartbeatSchedulers
        case heartbeatAgents
        case retryUpdates
        /// Propose a clock tick if a framework's fail-over deadline is due (then input
        /// `clockTicked`).
        case checkClockDeadlines
        /// Close the agent's stream and take it out of the allocator; `silent`: it missed
        /// its heartbeats (otherwise its stream ended).
        case dropAgent(AgentID, streamID: String, silent: Bool)
        case proposeUnreachable(AgentID)
        /// Send the scheduler this status update.
        case sendUpdate(FrameworkID, TaskStatus)
        /// Close the scheduler's stream, return its offers, start its fail-over timeout.
        case dropScheduler(FrameworkID, streamID: String)
        /// Propose the framework's subscription again (its disconnect came after it was back).
        case resubscribeFramework(FrameworkInfo)
        /// The framework is gone: shut it down on the agents of `killed`, forget its offers
        /// and charges, take it out of the allocator, close its stream with an error.
        case removeFramework(FrameworkID, killed: [TaskRecord])
        /// The registry no longer counts the agent active: close its stream (with an error if an
        /// operator marked it gone) and take it out of the allocator.
        case dropDeactivatedAgent(AgentID, gone: Bool)
        /// START_MAINTENANCE took the agent's machine down: kill its tasks (they ended
        /// TASK_LOST), close its stream with an error and take it out of the allocator.
        case dropDownAgent(AgentID)
        /// Rescind every outstanding offer (they go back to the allocator, unfiltered).
        case rescindAllOffers
        /// Send the scheduler a FAILURE for the lost agent.
        case sendAgentLost(FrameworkID, AgentID)
        /// The agent's total changed: rescind what no longer fits and allocate again.
        case updateAgentTotal(AgentID, Resources)
        /// Set the allocator's quotas, or weights, from the registry again.
        case refreshQuotas
        case refreshWeights
        /// UPDATE_OPERATION_STATUS to the framework, if its scheduler is connected.
        case sendOperationStatus(FrameworkID, OperationStatus)
    }

    /// A task's resources as charged to the allocator.
    struct Charge {
        var agent: AgentID
        var framework: FrameworkID
        var role: String
        var quantities: ResourceQuantities
    }

    let timing: Timing
    /// The term this master leads (or last led); agent events carry it.
    package var term: UInt64 = 0
    /// When this leader's process started: the allocator's clock counts from it.
    let started: Instant
    /// The leader's readings of the replicated clock (`ReplicatedClock`).
    var replicatedClock = ReplicatedClock()
    /// Defects this leader runs with on purpose (`DeliberateBreak`).
    package var breaks: Set<DeliberateBreak> = DeliberateBreak.active
    /// Where new framework, agent and stream IDs and update UUIDs come from (random; seeded
    /// under the simulator).
    package var newUUID: () -> UUID = { UUID() }
    /// The master as SUBSCRIBED describes it.
    package var masterInfo = MasterInfo(id: "corral")
    /// The master's ACLs (`--acls`); nil: none, and tasks run as whatever user they name.
    package var acls: ACLs?
    /// The allocator: this leader's own, rebuilt from the registry at each election.
    var allocator: any Allocator
    /// What each live task holds in the allocator.
    var charges: [TaskKey: Charge] = [:]
    /// The roles the allocator holds a quota for.
    var quotaRoles: Set<String> = []
    package private(set) var leading = false
    package private(set) var agents: [AgentID: AgentLink] = [:]
    /// Known active agents with no stream to this leader, and when they become unreachable.
    private(set) var awaiting: [AgentID: Instant] = [:]
    /// The stream of each framework whose scheduler is connected to this leader.
    package private(set) var schedulers: [FrameworkID: String] = [:]
    /// Subscribed frameworks' offer constraints (from SUBSCRIBE or UPDATE_FRAMEWORK; as in
    /// Mesos they are not replicated: a scheduler sends them again when it subscribes to a
    /// new leader).
    package internal(set) var offerConstraints: [FrameworkID: OfferConstraints] = [:]
    /// The UUID of the update last sent for each task.
    private var lastSentUUID: [TaskKey: [UInt8]] = [:]
    /// The outstanding offers; changed only by `offer`, `takeOffers` and `removeOffers` (in
    /// LeaderStateMachine+Offers.swift, hence not `private(set)`).
    package var offers: [MesosOfferID: LiveOffer] = [:]
    /// The outstanding inverse offers and the frameworks' answers (maintenance).
    package internal(set) var inverseOffers = InverseOfferBook()
    /// Tasks this leader is killing to meet quota guarantees (`Preemption`).
    package internal(set) var preempting: Set<TaskKey> = []
    private(set) var allocationWanted = false
    /// Allocation cycles run, so the shell can time them (`MasterLeader.housekeeping`).
    private(set) var allocationCycles: UInt64 = 0
    private var lastAllocation: Instant
    private var lastSchedulerHeartbeat: Instant
    private var lastAgentHeartbeat: Instant
    private var lastUpdateRetry: Instant
    private var lastClockTick: Instant

    package init(timing: Timing, allocator: any Allocator = CorralMaster.makeAllocator(AllocatorConfiguration()), now: Instant) {
        self.timing = timing
        self.allocator = allocator
        started = now
        lastAllocation = now
        lastSchedulerHeartbeat = now
        lastAgentHeartbeat = now
        lastUpdateRetry = now
        lastClockTick = now
    }

    mutating func step(_ input: Input, now: Instant) -> [Effect] {
        switch input {
        case .tick:
            return leading ? tick(now: now) : []
        case .elected(let active):
            leading = true
            for id in active where agents[id] == nil { awaiting[id] = now + timing.electionGrace }
            return []
        case .steppedDown:
            leading = false
            agents = [:]
            awaiting = [:]
            schedulers = [:]
            offerConstraints = [:]
            lastSentUUID = [:]
            offers = [:]
            inverseOffers.reset()
            preempting = []
            charges = [:]
            return []
        case .agentSubscribed(let id, let streamID, let ip):
            agents[id] = AgentLink(streamID: streamID, lastSeen: now, ip: ip)
            awaiting.removeValue(forKey: id)
            allocationWanted = true
            return []
        case .agentHeard(let id):
            agents[id]?.lastSeen = now
            return []
        case .agentStreamEnded(let id, let streamID):
            guard let link = agents[id], link.streamID == streamID else { return [] }
            agents.removeValue(forKey: id)
            if leading { awaiting[id] = now + timing.agentTimeout }
            return [.dropAgent(id, streamID: streamID, silent: false)]
        case .agentDeactivated(let id):
            agents.removeValue(forKey: id)
            awaiting.removeValue(forKey: id)
            return []
        case .allocationWanted:
            allocationWanted = true
            return []
        case .allocated:
            allocationWanted = false
            lastAllocation = now
            allocationCycles &+= 1
            return []
        case .clockTicked:
            lastClockTick = now
            return []
        case .schedulerSubscribed(let id, let streamID):
            schedulers[id] = streamID
            lastSentUUID = lastSentUUID.filter { $0.key.frameworkID != id }
            allocationWanted = true
            return []
        case .schedulerStreamEnded(let id, let streamID):
            guard schedulers[id] == streamID else { return [] }
            schedulers.removeValue(forKey: id)
            return [.dropScheduler(id, streamID: streamID)]
        case .frameworkRemoved(let id):
            schedulers.removeValue(forKey: id)
            allocationWanted = true
            return []
        case .taskChanged(let task, let resend):
            guard let head = task.pending.first, schedulers[task.key.frameworkID] != nil else { return [] }
            if !resend, let uuid = head.uuid, lastSentUUID[task.key] == uuid { return [] }
            lastSentUUID[task.key] = head.uuid
            return [.sendUpdate(task.key.frameworkID, head)]
        case .taskReleased(let key):
            lastSentUUID.removeValue(forKey: key)
            return []
        }
    }

    private mutating func tick(now: Instant) -> [Effect] {
        var effects: [Effect] = []
        if allocationWanted || now - lastAllocation >= timing.allocationInterval { effects.append(.allocate) }
        if now - lastSchedulerHeartbeat >= timing.schedulerHeartbeat {
            lastSchedulerHeartbeat = now
            effects.append(.heartbeatSchedulers)
        }
        // Agents are told their own interval in SUBSCRIBED; a silent stream tells them to resubscribe.
        if now - lastAgentHeartbeat >= timing.agentHeartbeat {
            lastAgentHeartbeat = now
            effects.append(.heartbeatAgents)
        }
        if now - lastUpdateRetry >= timing.updateRetry {
            lastUpdateRetry = now
            effects.append(.retryUpdates)
        }
        // Agents silent past the timeout, or gone and not back in time, become unreachable.
        for (id, link) in agents.sorted(by: { $0.key.value < $1.key.value })
        where now - link.lastSeen > timing.agentTimeout {
            agents.removeValue(forKey: id)
            awaiting[id] = now
            effects.append(.dropAgent(id, streamID: link.streamID, silent: true))
        }
        for (id, deadline) in awaiting.sorted(by: { $0.key.value < $1.key.value }) where deadline <= now {
            awaiting.removeValue(forKey: id)
            effects.append(.proposeUnreachable(id))
        }
        // The replicated clock only needs to move when a fail-over deadline is due: the
        // registry then removes the frameworks whose deadline its clock has passed.
        if now - lastClockTick >= timing.clockTick { effects.append(.checkClockDeadlines) }
        return effects
    }

    /// An agent that was awaited is re-registering: its deadline moves a whole agent timeout
    /// on, so a slow commit of its registration does not make it unreachable.
    mutating func postponeUnreachable(_ id: AgentID, now: Instant) {
        guard awaiting[id] != nil else { return }
        awaiting[id] = now + timing.agentTimeout
    }
}
