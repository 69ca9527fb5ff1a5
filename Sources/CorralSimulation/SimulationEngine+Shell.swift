import CorralRaft

extension SimulationEngine {
    // MARK: - Stepping a node

    /// Steps node `index` with `input` and carries out its effects, then any inputs those
    /// effects feed back (a snapshot taken, a message to itself). A paused process keeps
    /// the input for when it runs again.
    func feed(_ index: Int, _ input: RaftInput) {
        let shell = shells[index]
        if shell.isPaused {
            if shell.node != nil { shell.deferred.append(.input(input)) }
            return
        }
        let io = SimulatedNodeIO(engine: self, index: index)
        var inputs = [input]
        var next = 0
        var crashing = false
        while next < inputs.count, !crashing {
            let current = inputs[next]
            next += 1
            observeOwnVote(current, of: shell)
            shell.commitBeforeStep = shell.checkedCommit
            guard let effects = shell.node?.step(current, rng: &shell.rng) else { return }
            let changes = checkAfterStep(shell)
            crashing = shouldCrashMidStep(shell, input: current, changes: changes)
            if changes.elected { maybeIsolateNewLeader(shell.id) }
            let work = shell.interpreter.carryOut(effects, storage: io)
            // A process that dies mid-step never gets its messages out.
            if !crashing { shell.interpreter.flush(to: io) }
            if case .tick = current, let node = shell.node { _ = shell.interpreter.tick(node: node) }
            inputs += work.inputs
            handOver(work.handOffs, on: index, feedback: &inputs)
            if shell.node == nil { return }  // stopped for good (`.fatal`)
        }
        if crashing {
            trace.record(time: now, node: shell.id, code: 34, text: "buggify: leader crashes mid-step")
            crash(index, downMicros: UInt64.random(in: 20_000...max(20_000, config.faults.maxDownMicros), using: &faultRNG))
        }
    }

    /// A candidate's own vote, handed back to it once durable, counts as a vote it cast.
    private func observeOwnVote(_ input: RaftInput, of shell: NodeShell) {
        guard case .message(let message) = input, message.from == shell.id, case .voteResponse(granted: true) = message.body else { return }
        checker.observeVote(message.from, term: message.term, for: message.to)
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

    /// Election safety, leader completeness, commit safety and needless campaigns after
    /// each step of `shell`.
    private func checkAfterStep(_ shell: NodeShell) -> StepChanges {
        var changes = StepChanges()
        guard let node = shell.node else { return changes }
        let isLeader = node.role == .leader
        if isLeader {
            checker.observeLeader(shell.id, term: node.term)
            if !shell.wasLeader {
                changes.elected = true
                counters.elections += 1
                // It counted its own vote in this term.
                checker.observeVote(shell.id, term: node.term, for: shell.id)
                checker.observeElected(shell.id, term: node.term, incarnation: shell.incarnation)
                checker.observeBecameLeader(
                    shell.id, term: node.term, snapshotIndex: node.snapshotMetadata?.index ?? 0,
                    termAt: { node.term(at: $0) }
                )
            }
        }
        shell.wasLeader = isLeader
        let isCandidate = node.role == .candidate
        if isCandidate, !shell.wasCandidate, let leader = healthyLeader(below: node.term) {
            checker.observeNeedlessCampaign(shell.id, term: node.term, leader: leader)
            trace.record(time: now, node: shell.id, code: 23, leader, text: "campaigns while n\(leader) leads with a quorum")
        }
        shell.wasCandidate = isCandidate
        let commit = node.commitIndex
        if commit > shell.checkedCommit {
            checker.observeCommit(shell.id, term: node.term, from: shell.checkedCommit, to: commit, termAt: { node.term(at: $0) })
            shell.checkedCommit = commit
            changes.committed = true
        } else if commit < shell.checkedCommit {
            checker.report(.monotonicState, "n\(shell.id)'s commit index went back from \(shell.checkedCommit) to \(commit)")
        }
        return changes
    }

    /// A leader of a term below `term` that runs, is not paused, and reaches a quorum of
    /// its voters both ways.
    private func healthyLeader(below term: UInt64) -> NodeID? {
        for shell in shells {
            guard let node = shell.node, node.role == .leader, node.term < term, !shell.isPaused else { continue }
            let reached = node.membership.voters.filter { voter in
                guard voter != shell.id else { return true }
                let index = Int(voter) - 1
                guard shells.indices.contains(index), shells[index].node != nil, !shells[index].isPaused else { return false }
                return network.isOpen(from: shell.id, to: voter) && network.isOpen(from: voter, to: shell.id)
            }
            if reached.count >= node.membership.quorum { return shell.id }
        }
        return nil
    }

    /// Carries out what the interpreter handed over: the state machine, reads, role changes.
    private func handOver(_ handOffs: [RaftHandOff], on index: Int, feedback: inout [RaftInput]) {
        let shell = shells[index]
        for handOff in handOffs {
            switch handOff {
            case .apply(let entries):
                for entry in entries { apply(entry, on: shell) }
                if let snapshot = syncPointIfDue(shell) {
                    // The node persists it (`.persistSnapshot`) and compacts behind it.
                    feedback.append(.snapshotTaken(snapshot, trailingEntries: shell.trailingEntries))
                }
                handOver(shell.interpreter.applied(through: shell.machine.appliedIndex), on: index, feedback: &feedback)
            case .applySnapshot(let snapshot):
                installSnapshot(snapshot, on: shell)
                handOver(shell.interpreter.applied(through: shell.machine.appliedIndex), on: index, feedback: &feedback)
            case .snapshotDataNeeded:
                if let snapshot = fullSnapshot(shell) {
                    feedback.append(.snapshotTaken(snapshot, trailingEntries: shell.trailingEntries))
                }
            case .proposal(let outcome):
                // Acknowledgements are checked where the entry is applied (`apply(_:on:)`).
                if case .rejected(_, let reason) = outcome { noteRejection(reason) }
            case .readReady(let id, let readIndex):
                counters.reads += 1
                checker.observeReadReady(id, index: readIndex, node: shell.id)
            case .readRejected(let id, let reason):
                checker.observeReadRejected(id)
                noteRejection(reason)
            case .fatal(let reason):
                // The core found a committed entry contradicted: some node's state is damaged.
                checker.report(.recovery, "n\(shell.id) stopped: \(reason)")
                trace.record(time: now, node: shell.id, code: 35, text: "fatal: node stops for good")
                shell.stop(reason)
                return
            case .roleChanged(let role, let term, let leader):
                trace.record(
                    time: now, node: shell.id, code: 20, term, leader,
                    text: "role \(role.rawValue) term \(term) leader n\(leader)"
                )
                if leader != 0 { workload.leaderGuess = leader }
            }
        }
    }

    /// Checks a write the node submitted, then queues it on the node's disk.
    func persist(_ write: RaftStorageWrite, on index: Int) {
        let shell = shells[index]
        if case .batch(let batch) = write.operation, let first = batch.entries.first {
            checker.observeLogWrite(shell.id, entries: batch.entries, commit: shell.commitBeforeStep)
            var previousTerm = shell.node?.term(at: first.index - 1)
            var membership = shell.node?.membership(at: first.index - 1)
            for entry in batch.entries {
                checker.observeLogEntry(shell.id, entry: entry, previousTerm: previousTerm)
                previousTerm = entry.term
                if case .configChange(_, let next) = entry.payload {
                    if let membership { checker.observeConfigChange(shell.id, index: entry.index, from: membership, to: next) }
                    membership = next
                }
            }
        }
        submit(write, on: index)
    }
}
