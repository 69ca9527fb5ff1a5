import CorralRaft

/// Where the partition and swizzle faults stand.
struct FaultState {
    enum Partition {
        case healed(until: UInt64)
        case active(until: UInt64)
    }

    enum Swizzle {
        case idle(until: UInt64)
        case clogging([(from: NodeID, to: NodeID)], next: Int)
        case holding([(from: NodeID, to: NodeID)], until: UInt64)
        case unclogging([(from: NodeID, to: NodeID)])
    }

    var partition = Partition.healed(until: 300_000)
    var swizzle = Swizzle.idle(until: 500_000)
}

extension SimulationEngine {
    // MARK: - Fault injection

    func faultStep() {
        guard phase == .chaos else { return }
        let faults = config.faults
        if faults.crashes, faultRNG.chance(faults.crashProbability) { crashRandomNode() }
        if faults.storageFaults, faultRNG.chance(0.05), let shell = shells.randomElement(using: &faultRNG) {
            shell.slowSync.toggle()
            trace.record(time: now, node: shell.id, code: 33, shell.slowSync ? 1 : 0, text: "slow sync \(shell.slowSync ? "on" : "off")")
        }
        if faults.partitions { partitionStep() }
        if faults.swizzle { swizzleStep() }
        if faults.leadershipTransfer, faultRNG.chance(0.04) { transferLeadership() }
        processFaultStep()
        queue.push(.fault, at: now + UInt64.random(in: 20_000...60_000, using: &faultRNG), key: eventKey(5, 0))
    }

    private func crashRandomNode() {
        let up = shells.indices.filter { shells[$0].status == .up }
        let down = shells.count - up.count
        guard down <= max(0, config.initialVoters.count - 1) / 2, var victim = up.randomElement(using: &faultRNG) else { return }
        if faultRNG.chance(config.faults.leaderCrashShare), let leader = currentLeader() {
            victim = Int(leader.id) - 1
        }
        crash(victim, downMicros: UInt64.random(in: 20_000...max(20_000, config.faults.maxDownMicros), using: &faultRNG))
    }

    private func partitionStep() {
        switch faultState.partition {
        case .healed(let until):
            guard now >= until else { return }
            let ids = (1...UInt64(config.nodes)).shuffled(using: &faultRNG)
            var description: String
            if faultRNG.chance(0.6) {
                let minority = Int.random(in: 1...(config.nodes / 2), using: &faultRNG)
                let side = Set(ids.prefix(minority))
                for link in network.allLinks where side.contains(link.from) != side.contains(link.to) {
                    network.setCut(from: link.from, to: link.to, true)
                }
                description = "partition: \(side.sorted().map { "n\($0)" }.joined(separator: ",")) | rest"
            } else {
                let node = ids[0]
                let outbound = faultRNG.chance(0.5)
                for other in ids.dropFirst() where faultRNG.chance(0.8) {
                    if outbound { network.setCut(from: node, to: other, true) } else { network.setCut(from: other, to: node, true) }
                }
                description = "asymmetric partition: n\(node) cannot \(outbound ? "send" : "receive")"
            }
            faultState.partition = .active(until: now + UInt64.random(in: 100_000...1_500_000, using: &faultRNG))
            trace.record(time: now, node: 0, code: 50, text: description)
        case .active(let until):
            guard now >= until else { return }
            network.healCuts()
            faultState.partition = .healed(until: now + UInt64.random(in: 100_000...1_000_000, using: &faultRNG))
            trace.record(time: now, node: 0, code: 51, text: "partition healed")
        }
    }

    /// Cuts a new leader's outbound links for a while (`FaultMix.isolateOnElectionProbability`).
    func maybeIsolateNewLeader(_ leader: NodeID) {
        guard phase == .chaos, config.faults.partitions, case .healed = faultState.partition,
            faultRNG.chance(config.faults.isolateOnElectionProbability)
        else { return }
        for other in 1...UInt64(config.nodes) where other != leader {
            network.setCut(from: leader, to: other, true)
        }
        faultState.partition = .active(until: now + UInt64.random(in: 50_000...400_000, using: &faultRNG))
        trace.record(time: now, node: leader, code: 55, text: "new leader isolated: cannot send")
    }

    private func swizzleStep() {
        switch faultState.swizzle {
        case .idle(let until):
            guard now >= until else { return }
            let links = network.allLinks.shuffled(using: &faultRNG)
            let count = Int.random(in: 1...max(1, links.count / 2), using: &faultRNG)
            faultState.swizzle = .clogging(Array(links.prefix(count)), next: 0)
        case .clogging(let links, let next):
            let link = links[next]
            network.clog(from: link.from, to: link.to)
            trace.record(time: now, node: 0, code: 52, link.from, link.to, text: "clog n\(link.from)->n\(link.to)")
            if next + 1 < links.count {
                faultState.swizzle = .clogging(links, next: next + 1)
            } else {
                faultState.swizzle = .holding(links, until: now + UInt64.random(in: 50_000...800_000, using: &faultRNG))
            }
        case .holding(let links, let until):
            guard now >= until else { return }
            faultState.swizzle = .unclogging(faultRNG.chance(0.5) ? links.reversed() : links.shuffled(using: &faultRNG))
        case .unclogging(var links):
            guard let link = links.popLast() else {
                faultState.swizzle = .idle(until: now + UInt64.random(in: 100_000...1_000_000, using: &faultRNG))
                return
            }
            schedule(network.unclog(from: link.from, to: link.to, now: now))
            trace.record(time: now, node: 0, code: 53, link.from, link.to, text: "unclog n\(link.from)->n\(link.to)")
            faultState.swizzle = .unclogging(links)
        }
    }

    /// Ends the fault phase: heals the network and the disks, restarts every crashed node.
    func heal() {
        phase = .liveness(healedAt: now)
        trace.record(time: now, node: 0, code: 54, text: "heal: faults stop, liveness phase begins")
        network.healCuts()
        for link in network.allLinks { schedule(network.unclog(from: link.from, to: link.to, now: now)) }
        network.stopLoss()
        faultState = FaultState(partition: .healed(until: .max), swizzle: .idle(until: .max))
        writeFailureProbability = 0
        for index in shells.indices {
            shells[index].slowSync = false
            if shells[index].isPaused { resume(index, incarnation: shells[index].incarnation) }
            if shells[index].status == .down { restart(index) }
        }
        workload.firstLivenessCommand = workload.nextCommand
        queue.push(.livenessCheck, at: now + 50_000, key: eventKey(8, 0))
    }
}
