import CorralRaft

extension SimulationEngine {
    // MARK: - Stepping a node

    /// Steps node `index` with `input` and carries out its effects, then any inputs those
    /// effects feed back (an application snapshot).
    func feed(_ index: Int, _ input: RaftInput) {
        let shell = shells[index]
        var inputs = [input]
        var crashing = false
        while !inputs.isEmpty, !crashing {
            let next = inputs.removeFirst()
            guard let effects = shell.node?.step(next, rng: &shell.rng) else { return }
            let changes = checkAfterStep(shell)
            crashing = shouldCrashMidStep(shell, input: next, changes: changes)
            if changes.elected { maybeIsolateNewLeader(shell.id) }
            for effect in effects {
                // A process that dies mid-step never gets its messages out.
                if crashing, case .send = effect { continue }
                carryOut(effect, on: index, feedback: &inputs)
            }
        }
        if crashing {
            trace.record(time: now, node: shell.id, code: 34, text: "buggify: leader crashes mid-step")
            crash(index, downMicros: UInt64.random(in: 20_000...max(20_000, config.faults.maxDownMicros), using: &faultRNG))
        }
    }

    /// Whether to crash a leader right after this step (`FaultMix.crashOnCommitProbability`,
    /// `FaultMix.crashMidProposalProbability`).
    private func shouldCrashMidStep(_ shell: NodeShell, input: RaftInput, changes: StepChanges) -> Bool {
        let faults = config.faults
        guard phase == .chaos, faults.crashes, shell.node?.role == .leader else { return false }
        if changes.elected, faultRNG.chance(faults.crashOnElectionProbability) { return true }
        if changes.committed, faultRNG.chance(faults.crashOnCommitProbability) { return true }
        if case .propose = input, faultRNG.chance(faults.crashMidProposalProbability) { return true }
        return false
    }

    /// What a step changed that the fault injector may react to.
    struct StepChanges {
        var elected = false
        var committed = false
    }

    /// Election safety, leader completeness and commit safety after each step of `shell`.
    private func checkAfterStep(_ shell: NodeShell) -> StepChanges {
        var changes = StepChanges()
        guard let node = shell.node else { return changes }
        let isLeader = node.role == .leader
        if isLeader {
            checker.observeLeader(shell.id, term: node.term)
            if !shell.wasLeader {
                changes.elected = true
                counters.elections += 1
                checker.observeBecameLeader(
                    shell.id, term: node.term, snapshotIndex: node.snapshotMetadata?.index ?? 0,
                    termAt: { node.term(at: $0) }
                )
            }
        }
        shell.wasLeader = isLeader
        let commit = node.commitIndex
        if commit > shell.checkedCommit {
            checker.observeCommit(shell.id, term: node.term, from: shell.checkedCommit, to: commit, termAt: { node.term(at: $0) })
            shell.checkedCommit = commit
            changes.committed = true
        }
        return changes
    }

    private func carryOut(_ effect: RaftEffect, on index: Int, feedback: inout [RaftInput]) {
        let shell = shells[index]
        switch effect {
        case .persistHardState(let hardState):
            submit(.hardState(hardState), on: index, blocksSends: true)
        case .persistEntries(let entries):
            guard let first = entries.first else { return }
            var previousTerm = shell.node?.term(at: first.index - 1)
            for entry in entries {
                checker.observeLogEntry(shell.id, entry: entry, previousTerm: previousTerm)
                previousTerm = entry.term
            }
            submit(.entries(entries), on: index, blocksSends: true)
        case .persistSnapshot(let snapshot):
            submit(.snapshot(snapshot), on: index, blocksSends: true)
        case .compactLog(let through):
            submit(.compact(through: through), on: index, blocksSends: false)
        case .send(let message):
            // Votes and replies wait for every earlier persist; a leader's messages do not.
            if message.waitsForPersistence, shell.disk.lastBlockingSequence > shell.disk.durableSequence {
                shell.heldSends.append((shell.disk.lastBlockingSequence, message))
            } else if message.to == shell.id {
                feedback.append(.message(message))  // a candidate's own vote: back into the node
            } else {
                transmit(message)
            }
        case .apply(let entries):
            for entry in entries { apply(entry, on: shell) }
            if let snapshot = takeSnapshotIfDue(shell) {
                // The node persists it (`.persistSnapshot`) and compacts behind it.
                feedback.append(.snapshotTaken(snapshot, trailingEntries: shell.trailingEntries))
            }
        case .applySnapshot(let snapshot):
            installSnapshot(snapshot, on: shell)
        case .snapshotDataNeeded:
            // The simulated application always hands over data, so the node should never ask.
            checker.report(.storage, "n\(shell.id) asked for snapshot data it was given")
        case .proposalAccepted(let id, let logIndex, let term):
            if id & WorkloadState.commandMask == id {
                shell.proposals[logIndex] = (id, term)
            }
        case .proposalRejected(_, let reason):
            noteRejection(reason)
        case .readReady(let id, let readIndex):
            counters.reads += 1
            checker.observeReadReady(id, index: readIndex, node: shell.id)
        case .readRejected(let id, let reason):
            checker.observeReadRejected(id)
            noteRejection(reason)
        case .fatal(let reason):
            // The core found a committed entry contradicted: some node's state is damaged.
            checker.report(.storage, "n\(shell.id) stopped: \(reason)")
            trace.record(time: now, node: shell.id, code: 35, text: "fatal: node stops for good")
            shell.stop(reason)
        case .roleChanged(let role, let term, let leader):
            trace.record(
                time: now, node: shell.id, code: 20, term, leader,
                text: "role \(role.rawValue) term \(term) leader n\(leader)"
            )
            if leader != 0 { workload.leaderGuess = leader }
        }
    }

    // MARK: - The state machine

    private func apply(_ entry: Entry, on shell: NodeShell) {
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
        guard let proposal = shell.proposals.removeValue(forKey: entry.index) else { return }
        if proposal.term == entry.term, case .command(let bytes) = entry.payload, Command.id(of: bytes) == proposal.command {
            checker.observeAck(command: proposal.command, index: entry.index, entryHash: entryHash)
            if proposal.command >= workload.firstLivenessCommand { workload.ackedAfterHeal += 1 }
            trace.record(time: now, node: shell.id, code: 21, proposal.command, entry.index, text: "ack command \(proposal.command) at \(entry.index)")
        }
    }

    private func installSnapshot(_ snapshot: Snapshot, on shell: NodeShell) {
        let index = snapshot.metadata.index
        guard let restored = SimulatedStateMachine.restore(from: snapshot) else {
            checker.report(.appliedPrefix, "n\(shell.id) was given an undecodable snapshot at index \(index)")
            return
        }
        if index < shell.machine.appliedIndex {
            checker.report(.appliedPrefix, "n\(shell.id) rewound its state from \(shell.machine.appliedIndex) to snapshot \(index)")
        }
        shell.machine = restored
        shell.lastSnapshotIndex = index
        counters.snapshotsInstalled += 1
        checker.observeSnapshotApplied(shell.id, index: index, chain: restored.chain)
        for logIndex in shell.proposals.keys.sorted() where logIndex <= index {
            shell.proposals[logIndex] = nil
        }
        trace.record(time: now, node: shell.id, code: 22, index, text: "installed snapshot at \(index)")
    }

    /// The application's snapshot, when enough has been applied since the last one.
    private func takeSnapshotIfDue(_ shell: NodeShell) -> Snapshot? {
        let applied = shell.machine.appliedIndex
        guard applied >= shell.lastSnapshotIndex + shell.snapshotInterval,
            let term = shell.node?.term(at: applied)
        else { return nil }
        shell.lastSnapshotIndex = applied
        counters.snapshotsTaken += 1
        if let nodeView = shell.node?.membership(at: applied), nodeView != shell.machine.membership {
            checker.report(
                .appliedPrefix,
                "n\(shell.id): membership(at: \(applied)) is \(nodeView), but the applied entries give \(shell.machine.membership)"
            )
        }
        let metadata = SnapshotMetadata(index: applied, term: term, membership: shell.machine.membership)
        return Snapshot(metadata: metadata, data: shell.machine.serialized())
    }

    // MARK: - The disk

    private func submit(_ write: SimulatedDisk.Write, on index: Int, blocksSends: Bool) {
        let shell = shells[index]
        let delay =
            shell.slowSync
            ? UInt64.random(in: 20_000...250_000, using: &shell.diskRNG)
            : UInt64.random(in: 100...2_000, using: &shell.diskRNG)
        let fails = shell.diskRNG.chance(writeFailureProbability)
        let pending = shell.disk.submit(write, now: now, delayMicros: delay, fails: fails, blocksSends: blocksSends)
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
        while let first = shell.heldSends.first, first.sequence <= shell.disk.durableSequence {
            shell.heldSends.removeFirst()
            if first.message.to == shell.id {
                feed(index, .message(first.message))  // a candidate's own vote, now durable
            } else {
                transmit(first.message)
            }
        }
        switch write {
        case .entries(let entries):
            if let last = entries.last { feed(index, .entriesDurable(index: last.index, term: last.term)) }
        case .snapshot(let snapshot):
            feed(index, .snapshotDurable(index: snapshot.metadata.index, term: snapshot.metadata.term))
        case .hardState, .compact:
            break
        }
    }

    // MARK: - Crashes

    /// Crashes node `index`; it restarts after `downMicros` unless that is nil.
    func crash(_ index: Int, downMicros: UInt64? = UInt64(200_000)) {
        let shell = shells[index]
        guard shell.status == .up else { return }
        shell.crash()
        counters.crashes += 1
        trace.record(time: now, node: shell.id, code: 31, text: "crash")
        // A crashed process refuses connections: survivors that can reach it notice soon
        // (a partitioned peer notices nothing, exactly as over a real network).
        for other in shells.indices where other != index && shells[other].status == .up {
            guard network.isOpen(from: shells[other].id, to: shell.id) else { continue }
            let delay = UInt64.random(in: 1_000...50_000, using: &refusalRNG)
            queue.push(
                .refused(reporter: other, about: index, incarnation: shell.incarnation),
                at: now + delay, key: eventKey(8, shells[other].id, shell.id &* 1_000_003 &+ shell.incarnation))
        }
        if let downMicros, phase == .chaos {
            queue.push(.restart(node: index, incarnation: shell.incarnation), at: now + downMicros, key: eventKey(3, shell.id, shell.incarnation))
        } else if phase != .chaos {
            queue.push(.restart(node: index, incarnation: shell.incarnation), at: now + 10_000, key: eventKey(3, shell.id, shell.incarnation))
        }
    }

    func restart(_ index: Int) {
        let shell = shells[index]
        do {
            guard try shell.restart(config: config.raftConfig(for: shell.id)) else {
                checker.report(.storage, "n\(shell.id) cannot decode its durable snapshot")
                return
            }
        } catch {
            checker.report(.storage, "n\(shell.id) cannot restart: \(error.message)")
            return
        }
        trace.record(
            time: now, node: shell.id, code: 32, shell.machine.appliedIndex,
            text: "restart from durable state (snapshot \(shell.machine.appliedIndex), \(shell.disk.durable.entries.count) entries)"
        )
    }
}
