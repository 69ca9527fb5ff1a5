@_spi(Testing) import CorralRaft

/// One simulated node process: the Raft node, its disk, its state machine, and the effect
/// interpreter `RaftServer` uses too (sends waiting for a sync, proposals waiting for their
/// outcome).
///
/// It follows the production shell (`RaftServer` and `Applier`): the state machine keeps
/// its applied index itself, a sync point makes it durable and hands the node a
/// metadata-only snapshot, and at start the state machine is restored from the stored
/// snapshot when it is behind it.
final class NodeShell {
    /// The process's lifecycle. The `RaftNode` itself lives in `node`, outside this enum,
    /// so that stepping it mutates it in place instead of copying its log.
    enum Status: Equatable {
        case up
        case down
        /// Started, restoring the state machine from the stored snapshot; not listening yet.
        case restoring
        /// Refused to start (its raft storage is gone, or what it holds is damaged) or
        /// stopped for good (`.fatal`); it stays out until an operator replaces it.
        case refused
        /// Removed from the cluster and wiped; it comes back empty when it rejoins.
        case wiped
    }

    /// Something a paused process will handle when it runs again.
    enum Deferred {
        case input(RaftInput)
        case writeDone(incarnation: UInt64, sequence: UInt64)
    }

    let id: NodeID
    var status: Status = .up
    /// Why the node refused to start or stopped for good.
    var stopReason: String?
    /// Whether the fault injector damaged this node's stored log on purpose: the core must
    /// then refuse to start it.
    var damagedOnPurpose = false
    /// The running node; nil unless `status` is `.up`.
    var node: RaftNode?
    /// The node's injected generator (election timeouts).
    var rng: SimulationRNG
    /// Sync delays and write failures of this node's disk.
    var diskRNG: SimulationRNG
    /// Tick jitter of this node's clock.
    var clockRNG: SimulationRNG
    var disk: SimulatedDisk
    /// The state machine as the process sees it, and as it was at its last sync: a power
    /// loss falls back to `syncedMachine`.
    var machine: SimulatedStateMachine
    var syncedMachine: SimulatedStateMachine
    /// The cluster identity, kept outside the raft directory: a member that has it but no
    /// raft storage was wiped and must not start.
    var hasIdentity = true
    /// Bumped at every crash; events of an older incarnation are ignored.
    var incarnation: UInt64 = 0
    /// Carries out the node's effects, as in `RaftServer`; what it holds is lost in a crash.
    var interpreter: RaftEffectInterpreter
    let outcomeWaitTicks: UInt64
    /// Re-introduces the send-before-durable defect (`BrokenShellRule.sendBeforeDurable`).
    var sendsBeforeDurable = false {
        didSet { interpreter.sendsBeforeDurable = sendsBeforeDurable }
    }
    var wasLeader = false
    var wasCandidate = false
    /// The commit index up to which the checker has seen this node's commits.
    var checkedCommit: UInt64 = 0
    /// The commit index before the step being carried out.
    var commitBeforeStep: UInt64 = 0
    /// The index of the latest sync point (or snapshot restored).
    var lastSnapshotIndex: UInt64 = 0
    /// Applied entries between sync points.
    let snapshotInterval: UInt64
    /// Entries the node keeps behind a snapshot.
    let trailingEntries: UInt64
    var slowSync = false
    /// This node's clock rate: its tick interval is the configured one times this factor.
    var clockRate = 1.0
    /// While paused: when the process runs again, and what it missed meanwhile.
    var pausedUntil: UInt64?
    var deferred: [Deferred] = []
    /// Ticks the clock skips after jumping back.
    var skippedTicks = 0

    init(
        id: NodeID, config: RaftConfig, state: RaftPersistentState, seed: UInt64, snapshotInterval: UInt64,
        trailingEntries: UInt64, outcomeWaitTicks: UInt64 = 100
    ) {
        self.id = id
        self.outcomeWaitTicks = outcomeWaitTicks
        interpreter = RaftEffectInterpreter(id: id, outcomeWaitTicks: outcomeWaitTicks)
        rng = SimulationRNG(seed: seed, stream: "raft-node", index: id)
        diskRNG = SimulationRNG(seed: seed, stream: "disk", index: id)
        clockRNG = SimulationRNG(seed: seed, stream: "clock", index: id)
        disk = SimulatedDisk(state)
        machine = SimulatedStateMachine(membership: state.snapshot?.metadata.membership ?? Membership(voters: []))
        syncedMachine = machine
        self.snapshotInterval = snapshotInterval
        self.trailingEntries = trailingEntries
        do {
            node = try RaftNode(config: config, state: state)
        } catch {
            stop(error.message)
        }
    }

    /// Stops the node for good (damaged state, `.fatal`), keeping its disk as it is.
    func stop(_ reason: String) {
        node = nil
        status = .refused
        stopReason = reason
        resetInterpreter()
        wasLeader = false
        wasCandidate = false
        pausedUntil = nil
        deferred.removeAll()
    }

    var isPaused: Bool { pausedUntil != nil }

    /// Loses everything not durable: the node, pending writes, held sends, waiting proposals, and
    /// on a power loss the state machine's writes since its last sync.
    func crash(powerLoss: Bool) {
        status = .down
        node = nil
        incarnation += 1
        disk.crash()
        resetInterpreter()
        wasLeader = false
        wasCandidate = false
        pausedUntil = nil
        deferred.removeAll()
        skippedTicks = 0
        if powerLoss { machine = syncedMachine }
    }

    /// A new process holds nothing: no held sends, no waiting proposals or reads, writes
    /// numbered from 1; its state machine is where it is.
    func resetInterpreter() {
        interpreter = RaftEffectInterpreter(id: id, outcomeWaitTicks: outcomeWaitTicks, appliedIndex: machine.appliedIndex)
        interpreter.sendsBeforeDurable = sendsBeforeDurable
    }

    /// Makes the state machine's writes durable (a sync point).
    func syncMachine() {
        syncedMachine = machine
    }

    /// What a start finds in storage.
    enum StartCheck {
        /// The node can start; the state machine must first be restored from this snapshot
        /// if it is not nil.
        case ready(restoreFrom: Snapshot?)
        /// It must not start, for this reason.
        case refuse(String)
    }

    /// The production start rules: a member whose raft storage is empty but whose identity
    /// says it belongs to a cluster refuses to start; a state machine behind the stored
    /// snapshot is restored from it, which needs the snapshot's data.
    func checkStart() -> StartCheck {
        let state = disk.durable
        if hasIdentity, state.hardState == HardState(), state.snapshot == nil, state.entries.isEmpty {
            return .refuse("its raft storage is empty but its identity says it is a member: it was wiped; replace it")
        }
        guard let snapshot = state.snapshot, machine.appliedIndex < snapshot.metadata.index else {
            return .ready(restoreFrom: nil)
        }
        if snapshot.data.isEmpty {
            return .refuse(
                "its state machine is at \(machine.appliedIndex), behind the stored metadata-only snapshot at "
                    + "\(snapshot.metadata.index), and the log before it is gone"
            )
        }
        return .ready(restoreFrom: snapshot)
    }

    /// Starts the node from the durable disk and the state machine as it stands.
    func start(_ node: RaftNode) {
        stopReason = nil
        self.node = node
        status = .up
        checkedCommit = node.commitIndex
        lastSnapshotIndex = max(machine.appliedIndex, disk.durable.snapshot?.metadata.index ?? 0)
        resetInterpreter()
        wasLeader = false
        wasCandidate = false
    }

    /// Crashes the node and erases its disk and state machine, as for a member removed from
    /// the cluster, whose operator also clears its identity before it joins again.
    func wipe() {
        crash(powerLoss: true)
        disk.wipe()
        machine = SimulatedStateMachine(membership: Membership(voters: []))
        syncedMachine = machine
        status = .wiped
    }
}
