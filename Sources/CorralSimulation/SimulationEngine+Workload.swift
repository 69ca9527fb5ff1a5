import CorralRaft

/// The client's view: who it thinks leads, and the ids it hands out.
struct WorkloadState {
    /// Command ids have the top two bits clear; reads and config changes set one of them.
    static let commandMask: UInt64 = (1 << 62) - 1
    static let readBit: UInt64 = 1 << 62
    static let configBit: UInt64 = 1 << 63

    var nextCommand: UInt64 = 1
    var nextRead: UInt64 = 1
    var nextConfigChange: UInt64 = 1
    var leaderGuess: NodeID = 0
    /// Commands from this id on were proposed after the heal.
    var firstLivenessCommand: UInt64 = .max
    var ackedAfterHeal = 0
}

extension SimulationEngine {
    // MARK: - Clients

    /// Proposes a command (and sometimes a read) to the node the client believes leads.
    func clientStep() {
        defer {
            if phase != .done {
                queue.push(.client, at: now + UInt64.random(in: 5_000...30_000, using: &workloadRNG), key: eventKey(4, 0))
            }
        }
        guard let target = clientTarget() else { return }
        let command = workload.nextCommand
        workload.nextCommand += 1
        counters.proposals += 1
        let filler = Int.random(in: 0...24, using: &workloadRNG)
        feed(target, .propose(id: command, command: Command.bytes(id: command, fillerBytes: filler)))
        if workloadRNG.chance(0.25), shells[target].node != nil {
            let read = WorkloadState.readBit | workload.nextRead
            workload.nextRead += 1
            checker.observeReadIssued(read)
            feed(target, .readIndex(id: read))
        }
    }

    /// The believed leader if it is up, otherwise a random running node.
    private func clientTarget() -> Int? {
        let guess = Int(workload.leaderGuess) - 1
        if shells.indices.contains(guess), shells[guess].node != nil { return guess }
        let running = shells.indices.filter { shells[$0].node != nil }
        return running.randomElement(using: &workloadRNG)
    }

    /// Follows a "not leader" hint.
    func noteRejection(_ reason: RaftRejection) {
        if case .notLeader(let leader) = reason { workload.leaderGuess = leader }
    }

    /// The running node that leads the highest term, if any.
    func currentLeader() -> NodeShell? {
        var best: NodeShell?
        for shell in shells {
            guard let node = shell.node, node.role == .leader else { continue }
            if let current = best?.node, current.term >= node.term { continue }
            best = shell
        }
        return best
    }

    /// Asks the leader to hand leadership to another voter.
    func transferLeadership() {
        guard let leader = currentLeader(), let node = leader.node else { return }
        let others = node.membership.voters.sorted().filter { $0 != leader.id }
        guard let target = others.randomElement(using: &faultRNG) else { return }
        counters.transfers += 1
        trace.record(time: now, node: leader.id, code: 40, target, text: "asked to transfer leadership to n\(target)")
        feed(Int(leader.id) - 1, .transferLeadership(to: target))
    }
}
