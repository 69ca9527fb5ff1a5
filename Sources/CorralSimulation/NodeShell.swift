import CorralRaft

/// One simulated node process: the Raft node, its disk, its state machine, and what the
/// shell holds in memory (sends waiting for a sync, proposals waiting to be applied).
final class NodeShell {
    /// The process's lifecycle. The `RaftNode` itself lives in `node`, outside this enum,
    /// so that stepping it mutates it in place instead of copying its log.
    enum Status: Equatable {
        case up
        case down
        /// Removed from the cluster and wiped; it comes back empty when it rejoins.
        case wiped
        /// Stopped for good: its stored state was damaged (`RaftStateError`) or the core
        /// stopped with `.fatal`; `stopReason` says why. It never restarts.
        case stopped
    }

    let id: NodeID
    var status: Status = .up
    /// Why the node stopped for good (status `.stopped`).
    var stopReason: String?
    /// The running node; nil unless `status` is `.up`.
    var node: RaftNode?
    /// The node's injected generator (election timeouts).
    var rng: SimulationRNG
    /// Sync delays and write failures of this node's disk.
    var diskRNG: SimulationRNG
    /// Tick jitter of this node's clock.
    var clockRNG: SimulationRNG
    var disk: SimulatedDisk
    var machine: SimulatedStateMachine
    /// Bumped at every crash; events of an older incarnation are ignored.
    var incarnation: UInt64 = 0
    /// Sends waiting until the write with `sequence` is durable.
    var heldSends: [(sequence: UInt64, message: Message)] = []
    /// Proposals accepted by this node, by log index: the command and the term it was accepted in.
    var proposals: [UInt64: (command: UInt64, term: UInt64)] = [:]
    var wasLeader = false
    /// The commit index up to which the checker has seen this node's commits.
    var checkedCommit: UInt64 = 0
    var lastSnapshotIndex: UInt64 = 0
    /// Applied entries between application snapshots.
    let snapshotInterval: UInt64
    /// Entries the node keeps behind a snapshot.
    let trailingEntries: UInt64
    var slowSync = false
    /// This node's clock rate: its tick interval is the configured one times this factor.
    var clockRate = 1.0

    init(id: NodeID, config: RaftConfig, state: RaftPersistentState, seed: UInt64, snapshotInterval: UInt64, trailingEntries: UInt64) {
        self.id = id
        rng = SimulationRNG(seed: seed, stream: "raft-node", index: id)
        diskRNG = SimulationRNG(seed: seed, stream: "disk", index: id)
        clockRNG = SimulationRNG(seed: seed, stream: "clock", index: id)
        disk = SimulatedDisk(state)
        machine = SimulatedStateMachine(membership: state.snapshot?.metadata.membership ?? Membership(voters: []))
        self.snapshotInterval = snapshotInterval
        self.trailingEntries = trailingEntries
        do {
            node = try RaftNode(config: config, state: state)
        } catch {
            stop(error.message)
        }
    }

    /// Stops the node for good, keeping its disk as it is.
    func stop(_ reason: String) {
        node = nil
        status = .stopped
        stopReason = reason
        heldSends.removeAll()
        proposals.removeAll()
        wasLeader = false
    }

    /// Loses everything not durable: the node, pending writes, held sends, proposals.
    func crash() {
        status = .down
        node = nil
        incarnation += 1
        disk.crash()
        heldSends.removeAll()
        proposals.removeAll()
        wasLeader = false
    }

    /// Rebuilds the node from the durable disk and the state machine from the durable
    /// snapshot; returns false when that snapshot cannot be decoded, and throws (leaving the
    /// node stopped) when the core finds the durable state damaged.
    func restart(config: RaftConfig) throws(RaftStateError) -> Bool {
        let state = disk.durable
        let restored: SimulatedStateMachine?
        if let snapshot = state.snapshot {
            restored = SimulatedStateMachine.restore(from: snapshot)
        } else {
            restored = SimulatedStateMachine(membership: Membership(voters: []))
        }
        guard let restored else { return false }
        machine = restored
        let started: RaftNode
        do {
            started = try RaftNode(config: config, state: state)
        } catch {
            stop(error.message)
            throw error
        }
        node = started
        status = .up
        checkedCommit = started.commitIndex
        lastSnapshotIndex = machine.appliedIndex
        wasLeader = false
        return true
    }

    /// Crashes the node and erases its disk, as for a member removed from the cluster.
    func wipe() {
        crash()
        disk.wipe()
        status = .wiped
    }
}
