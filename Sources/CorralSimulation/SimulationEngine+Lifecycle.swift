import CorralRaft

extension SimulationEngine {
    // MARK: - The disk

    func submit(_ write: RaftStorageWrite, on index: Int) {
        let shell = shells[index]
        let delay =
            shell.slowSync
            ? UInt64.random(in: 20_000...250_000, using: &shell.diskRNG)
            : UInt64.random(in: 100...2_000, using: &shell.diskRNG)
        let fails = shell.diskRNG.chance(writeFailureProbability)
        let pending = shell.disk.submit(write, now: now, delayMicros: delay, fails: fails)
        queue.push(
            .writeDone(node: index, incarnation: shell.incarnation, sequence: pending.sequence),
            at: pending.completesAt, key: (shell.id << 48) | pending.sequence  // in order when times tie
        )
    }

    func writeDone(_ index: Int, incarnation: UInt64, sequence: UInt64) {
        let shell = shells[index]
        guard shell.incarnation == incarnation, shell.node != nil,
            let pending = shell.disk.oldestPending(sequence: sequence)
        else { return }
        if pending.fails {
            counters.failedWrites += 1
            trace.record(time: now, node: shell.id, code: 30, sequence, text: "write failed: crash (fail-stop)")
            crash(index)
            return
        }
        guard let (write, error) = shell.disk.complete(sequence: sequence) else { return }
        if let error { checker.report(.storage, "n\(shell.id): \(error)") }
        shell.hasIdentity = true
        // The messages that waited for this write go out; the node then hears of it.
        let work = shell.interpreter.durable(through: sequence)
        shell.interpreter.flush(to: SimulatedNodeIO(engine: self, index: index))
        if case .batch(let batch) = write, let hardState = batch.hardState {
            checker.observeDurableHardState(shell.id, hardState)
        }
        for input in work.inputs { feed(index, input) }
    }

    // MARK: - Crashes

    /// Crashes node `index` (running or restoring); it restarts after `downMicros` unless
    /// that is nil. Some crashes are power losses (`FaultMix.powerLossShare`).
    func crash(_ index: Int, downMicros: UInt64? = UInt64(200_000)) {
        let shell = shells[index]
        guard shell.status == .up || shell.status == .restoring else { return }
        let powerLoss = powerRNG.chance(config.faults.powerLossShare)
        shell.crash(powerLoss: powerLoss)
        counters.crashes += 1
        if powerLoss { counters.powerLosses += 1 }
        trace.record(
            time: now, node: shell.id, code: 31, powerLoss ? 1 : 0,
            text: powerLoss ? "crash (power loss: state machine back to \(shell.machine.appliedIndex))" : "crash"
        )
        // A crashed process refuses connections: survivors that can reach it notice soon,
        // and again at each reconnect attempt (a partitioned peer notices nothing, exactly
        // as over a real network).
        for other in shells.indices where other != index && shells[other].status == .up {
            guard network.isOpen(from: shells[other].id, to: shell.id) else { continue }
            let delay = UInt64.random(in: 1_000...50_000, using: &refusalRNG)
            queue.push(
                .refused(reporter: other, about: index, incarnation: shell.incarnation, retries: 5),
                at: now + delay, key: eventKey(8, shells[other].id, shell.id &* 1_000_003 &+ shell.incarnation))
        }
        if let downMicros, phase == .chaos {
            queue.push(.restart(node: index, incarnation: shell.incarnation), at: now + downMicros, key: eventKey(3, shell.id, shell.incarnation))
        } else if phase != .chaos {
            queue.push(.restart(node: index, incarnation: shell.incarnation), at: now + 10_000, key: eventKey(3, shell.id, shell.incarnation))
        }
    }

    /// `reporter`'s connection to the crashed `about` was refused; it retries a few times.
    func refused(reporter: Int, about: Int, incarnation: UInt64, retries: Int) {
        let target = shells[about]
        guard target.status == .down || target.status == .restoring, target.incarnation == incarnation,
            shells[reporter].node != nil
        else { return }
        trace.record(time: now, node: shells[reporter].id, code: 36, text: "n\(target.id) refuses connections")
        feed(reporter, .peerUnreachable(target.id))
        guard retries > 0 else { return }
        let delay = UInt64.random(in: 10_000...30_000, using: &refusalRNG)
        queue.push(
            .refused(reporter: reporter, about: about, incarnation: incarnation, retries: retries - 1),
            at: now + delay, key: eventKey(8, shells[reporter].id, target.id &* 1_000_003 &+ incarnation &+ UInt64(retries) << 32))
    }

    // MARK: - Starting

    /// Starts a crashed node from what it stored, as the production shell does: it refuses
    /// to start when its raft storage is gone or the state machine cannot be brought up to
    /// the stored snapshot, and restores the state machine first when it is behind it.
    func restart(_ index: Int) {
        let shell = shells[index]
        maybeDamageVoter(index)
        switch shell.checkStart() {
        case .refuse(let reason):
            if shell.disk.durable.snapshot == nil, config.brokenShellRules.contains(.rejoinWipedVoterFresh) {
                // The defect: a wiped voter bootstraps again as if the cluster were new.
                shell.disk = SimulatedDisk(bootstrapState)
                trace.record(time: now, node: shell.id, code: 39, text: "wiped voter bootstraps again (broken rule)")
                startNode(index)
                return
            }
            shell.status = .refused
            counters.refusedStarts += 1
            trace.record(time: now, node: shell.id, code: 35, text: "refuses to start: \(reason)")
            if shell.disk.durable.snapshot != nil {
                checker.report(.recovery, "n\(shell.id) cannot start: \(reason)")
            }
        case .ready(nil):
            startNode(index)
        case .ready(let snapshot?):
            shell.status = .restoring
            counters.restoresAtStart += 1
            let duration = UInt64.random(in: 5_000...40_000, using: &faultRNG)
            trace.record(time: now, node: shell.id, code: 32, snapshot.metadata.index, text: "restoring the state machine from snapshot \(snapshot.metadata.index)")
            queue.push(.restoreDone(node: index, incarnation: shell.incarnation), at: now + duration, key: eventKey(10, shell.id, shell.incarnation))
            if phase == .chaos, faultRNG.chance(config.faults.crashDuringRestoreProbability) {
                queue.push(
                    .crashDuringRestore(node: index, incarnation: shell.incarnation),
                    at: now + UInt64.random(in: 1...duration - 1, using: &faultRNG), key: eventKey(11, shell.id, shell.incarnation))
            }
        }
    }

    func restoreDone(_ index: Int, incarnation: UInt64) {
        let shell = shells[index]
        guard shell.status == .restoring, shell.incarnation == incarnation, let snapshot = shell.disk.durable.snapshot else { return }
        guard let restored = SimulatedStateMachine.restore(from: snapshot) else {
            shell.status = .refused
            checker.report(.recovery, "n\(shell.id) cannot restore its stored snapshot at \(snapshot.metadata.index)")
            return
        }
        shell.machine = restored
        checker.observeSnapshotApplied(shell.id, index: snapshot.metadata.index, chain: restored.chain)
        startNode(index)
    }

    /// Builds the node from the durable disk and the state machine's applied index.
    private func startNode(_ index: Int) {
        let shell = shells[index]
        let applied = shell.machine.appliedIndex
        if applied > 0 {
            // The state it fell back to must be one every node applied at that index.
            checker.observeSnapshotApplied(shell.id, index: applied, chain: shell.machine.chain)
        }
        let node: RaftNode
        do {
            node = try RaftNode(config: config.raftConfig(for: shell.id), state: shell.disk.durable, appliedIndex: applied)
        } catch {
            // Damage the fault injector put there must stop the node; any other is a bug.
            shell.stop(error.message)
            counters.refusedStarts += 1
            trace.record(time: now, node: shell.id, code: 35, text: "refuses to start: \(error.message)")
            if !shell.damagedOnPurpose { checker.report(.recovery, "n\(shell.id) cannot restart: \(error.message)") }
            return
        }
        checker.observeStart(shell.id, term: node.term, commit: node.commitIndex)
        shell.start(node)
        trace.record(
            time: now, node: shell.id, code: 32, applied,
            text: "restart from durable state (applied \(applied), \(shell.disk.durable.entries.count) entries)"
        )
    }

    /// The state every node starts a new cluster from.
    var bootstrapState: RaftPersistentState { Self.bootstrapState(config) }

    static func bootstrapState(_ config: SimulationConfig) -> RaftPersistentState {
        let voters = config.initialVoters
        let learners = Set((1...config.nodes).map { NodeID($0) }).subtracting(voters)
        let metadata = SnapshotMetadata(index: 0, term: 0, membership: Membership(voters: voters, learners: learners))
        return RaftPersistentState(snapshot: Snapshot(metadata: metadata, data: []))
    }

    /// Now and then a restarting voter finds its storage emptied (`FaultMix.wipeVoterProbability`)
    /// or its log cut below its commit index (`FaultMix.damagedLogProbability`): at most once
    /// per run, and only while the other voters keep a quorum without it.
    private func maybeDamageVoter(_ index: Int) {
        let shell = shells[index]
        guard phase == .chaos, !damagedMember,
            let membership = currentLeader()?.node?.membership, membership.voters.contains(shell.id),
            membership.voters.count >= 3
        else { return }
        if faultRNG.chance(config.faults.wipeVoterProbability) {
            damagedMember = true
            shell.disk.wipe()
            shell.machine = SimulatedStateMachine(membership: Membership(voters: []))
            shell.syncedMachine = shell.machine
            trace.record(time: now, node: shell.id, code: 62, text: "storage wiped while down")
            return
        }
        guard faultRNG.chance(config.faults.damagedLogProbability) else { return }
        let durable = shell.disk.durable
        let snapshotIndex = durable.snapshot?.metadata.index ?? 0
        let cuttable = durable.entries.map(\.index).filter { $0 > snapshotIndex && $0 <= durable.hardState.commit }
        guard let cut = cuttable.randomElement(using: &faultRNG) else { return }
        damagedMember = true
        shell.damagedOnPurpose = true
        shell.disk.damageLog(from: cut)
        trace.record(time: now, node: shell.id, code: 63, cut, text: "stored log damaged: entries from \(cut) lost, commit \(durable.hardState.commit)")
    }
}
