import CorralRaft

extension SimulationEngine {
    // MARK: - The state machine

    /// Applies one committed entry. The write is not synced: a power loss takes it back
    /// to the last sync point, and the node applies it again from its log.
    func apply(_ entry: Entry, on shell: NodeShell) {
        guard entry.index == shell.machine.appliedIndex + 1 else {
            checker.report(
                .appliedPrefix,
                "n\(shell.id) applied index \(entry.index) right after \(shell.machine.appliedIndex)"
            )
            return
        }
        shell.machine.apply(entry)
        let entryHash = SimulatedStateMachine.entryHash(entry)
        checker.observeApply(shell.id, index: entry.index, entryHash: entryHash, chain: shell.machine.chain)
        for outcome in shell.interpreter.decided(index: entry.index, term: entry.term) {
            // The interpreter answers "applied" for the entry at the proposal's index in its
            // term; a command is acknowledged only if that entry is the command proposed.
            guard case .applied(let command, _, _) = outcome, command & WorkloadState.commandMask == command,
                case .command(let bytes) = entry.payload, Command.id(of: bytes) == command
            else { continue }
            checker.observeAck(command: command, index: entry.index, entryHash: entryHash)
            if command >= workload.firstLivenessCommand { workload.ackedAfterHeal += 1 }
            trace.record(time: now, node: shell.id, code: 21, command, entry.index, text: "ack command \(command) at \(entry.index)")
        }
    }

    /// Replaces the state machine with a snapshot from the leader (`.applySnapshot`).
    func installSnapshot(_ snapshot: Snapshot, on shell: NodeShell) {
        let index = snapshot.metadata.index
        guard let restored = SimulatedStateMachine.restore(from: snapshot) else {
            checker.report(
                .recovery,
                "n\(shell.id) was given a snapshot at index \(index) it cannot restore (\(snapshot.data.count) bytes)"
            )
            return
        }
        if index < shell.machine.appliedIndex {
            checker.report(.appliedPrefix, "n\(shell.id) rewound its state from \(shell.machine.appliedIndex) to snapshot \(index)")
        }
        shell.machine = restored
        shell.lastSnapshotIndex = index
        counters.snapshotsInstalled += 1
        checker.observeSnapshotApplied(shell.id, index: index, chain: restored.chain)
        _ = shell.interpreter.restored(through: index)
        trace.record(time: now, node: shell.id, code: 22, index, text: "installed snapshot at \(index)")
    }

    /// A sync point, when enough has been applied since the last one: the state machine
    /// makes its writes durable and the node gets a metadata-only snapshot at its applied
    /// index, behind which it may compact its log (`Applier.Work.syncPoint`).
    func syncPointIfDue(_ shell: NodeShell) -> Snapshot? {
        let applied = shell.machine.appliedIndex
        guard applied >= shell.lastSnapshotIndex + shell.snapshotInterval,
            let metadata = snapshotMetadata(shell, at: applied)
        else { return nil }
        if !config.brokenShellRules.contains(.compactPastSyncedState) {
            shell.syncMachine()
        }
        shell.lastSnapshotIndex = applied
        shell.interpreter.localSnapshotIndex = applied
        counters.snapshotsTaken += 1
        trace.record(time: now, node: shell.id, code: 24, applied, text: "sync point at \(applied) (metadata-only snapshot)")
        return Snapshot(metadata: metadata, data: [])
    }

    /// The whole state, for a follower that needs a snapshot (`.snapshotDataNeeded`). Taking
    /// it syncs the state machine first, as `KeyValueStateMachine.snapshot()` does.
    func fullSnapshot(_ shell: NodeShell) -> Snapshot? {
        let applied = shell.machine.appliedIndex
        guard let metadata = snapshotMetadata(shell, at: applied) else { return nil }
        shell.syncMachine()
        shell.lastSnapshotIndex = applied
        shell.interpreter.localSnapshotIndex = applied
        counters.snapshotsTaken += 1
        trace.record(time: now, node: shell.id, code: 25, applied, text: "full snapshot at \(applied) for a follower")
        return Snapshot(metadata: metadata, data: shell.machine.serialized())
    }

    /// The metadata of a snapshot at `index`, from the node's log, checked against the
    /// membership the applied entries give.
    private func snapshotMetadata(_ shell: NodeShell, at index: UInt64) -> SnapshotMetadata? {
        guard let node = shell.node, let term = node.term(at: index), let membership = node.membership(at: index) else { return nil }
        if membership != shell.machine.membership {
            checker.report(
                .appliedPrefix,
                "n\(shell.id): membership(at: \(index)) is \(membership), but the applied entries give \(shell.machine.membership)"
            )
        }
        return SnapshotMetadata(index: index, term: term, membership: membership)
    }
}
