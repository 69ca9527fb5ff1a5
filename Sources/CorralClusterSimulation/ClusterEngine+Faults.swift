import CorralModel

extension ClusterEngine {
    /// One fault, then the next in one to three seconds, while the chaos phase lasts.
    func injectFault() {
        guard phase == .chaos else { return }
        schedule(.fault, after: UInt64.random(in: 1_000_000...3_000_000, using: &faultRNG), key: key(5, 0))
        let leader = masters.first { if case .leading = $0.phase { true } else { false } }
        switch Int.random(in: 0..<100, using: &faultRNG) {
        case 0..<20:
            let target =
                leader != nil && faultRNG.chance(0.6) ? leader! : masters.randomElement(using: &faultRNG)!
            target.crash(downFor: UInt64.random(in: 300_000...3_000_000, using: &faultRNG))
        case 20..<35:
            agents.randomElement(using: &faultRNG)?.crash(
                downFor: UInt64.random(in: 500_000...4_000_000, using: &faultRNG)
            )
        case 35..<45:
            schedulers.randomElement(using: &faultRNG)?.failOver()
        case 45..<65:
            let target =
                leader != nil && faultRNG.chance(0.6) ? leader! : masters.randomElement(using: &faultRNG)!
            isolate(target.index, for: UInt64.random(in: 1_000_000...4_000_000, using: &faultRNG))
        case 72..<80:
            desync()
        case 65..<72:
            let client: Client =
                faultRNG.chance(0.5)
                ? .agent(Int.random(in: 0..<agents.count, using: &faultRNG))
                : .scheduler(Int.random(in: 0..<schedulers.count, using: &faultRNG))
            let master = Int.random(in: 0..<masters.count, using: &faultRNG)
            cut(master, client.node, for: UInt64.random(in: 500_000...3_000_000, using: &faultRNG))
        case 80..<87:
            jumpClock()
        case 87..<93:
            let target =
                leader != nil && faultRNG.chance(0.6) ? leader! : masters.randomElement(using: &faultRNG)!
            let micros = UInt64.random(in: 1_000_000...4_000_000, using: &faultRNG)
            target.slowDiskUntil = now + micros
            counters.diskFaults += 1
            note("m\(target.index + 1)'s disk is slow (20-150 ms a sync) for \(formatTime(micros))")
        case 93..<96:
            let target =
                leader != nil && faultRNG.chance(0.6) ? leader! : masters.randomElement(using: &faultRNG)!
            target.failNextWrite = true
            counters.diskFaults += 1
            note("m\(target.index + 1)'s next write will fail")
        default:
            network.lossy.toggle()
            note("messages \(network.lossy ? "now lost, duplicated and delayed" : "flow normally again")")
        }
    }

    /// A record of an older term's stream reaches an agent on its newer stream (the first
    /// agent, in a random order, that has one; when none has, the next agent to subscribe
    /// to another master with one).
    func desync() {
        for agent in agents.shuffled(using: &faultRNG) where agent.desync(using: &faultRNG) {
            counters.desyncs += 1
            return
        }
        desyncPending = true
    }

    /// A master's wall clock jumps an hour ahead (an NTP step, an operator's `date -s`): the
    /// leader's, when a scheduler is away, whose framework's fail-over deadline it must not
    /// bring forward.
    func jumpClock() {
        let away = schedulers.contains { $0.streamID == nil }
        let leader = masters.first { if case .leading = $0.phase { true } else { false } }
        guard
            let target = away
                ? leader ?? masters.randomElement(using: &faultRNG) : masters.randomElement(using: &faultRNG)
        else { return }
        target.wallOffset += 3_600_000_000_000
        counters.clockJumps += 1
        note("m\(target.index + 1)'s wall clock jumps an hour ahead")
    }

    /// Cuts a master off from every other process for a while.
    func isolate(_ master: Int, for micros: UInt64) {
        note("m\(master + 1) isolated for \(formatTime(micros))")
        counters.partitions += 1
        var others = masters.indices.filter { $0 != master }
        others += agents.indices.map { Client.agent($0).node }
        others += schedulers.indices.map { Client.scheduler($0).node }
        for other in others { cut(master, other, for: micros) }
    }

    /// Cuts the link between two processes both ways, and restores it after `micros`. The
    /// streams across it break: both ends hear so within half a second.
    func cut(_ a: Int, _ b: Int, for micros: UInt64) {
        network.cut(a, b)
        schedule(.restoreLink(a, b), after: micros, key: key(22, a, UInt64(b)))
        for master in [a, b] where master < masters.count {
            let other = master == a ? b : a
            breakStreams(of: masters[master], to: other)
        }
    }

    private func breakStreams(of master: ClusterMaster, to node: Int) {
        for (key, stream) in master.streams.sorted(by: { $0.key.order < $1.key.order }) {
            guard let client = stream.client, client.node == node else { continue }
            let detection = UInt64.random(in: 100_000...500_000, using: &faultRNG)
            let ended = StreamDelivery(
                client: client,
                master: master.index,
                streamID: stream.streamID,
                payload: .ended
            )
            queue.push(.streamDelivery(ended), at: now + detection, key: self.key(23, client.node, now))
            schedule(
                .streamClosedByClient(
                    master: master.index,
                    incarnation: master.incarnation,
                    stream: key,
                    streamID: stream.streamID
                ),
                after: detection,
                key: self.key(24, master.index, now)
            )
        }
    }

    func restoreLink(_ a: Int, _ b: Int) {
        network.blocked.remove([a, b])
        network.blocked.remove([b, a])
    }

    /// Ends the chaos: every link heals, every process runs; the workload must now finish.
    func heal() {
        note("heal: every link and disk restored, every process restarted")
        phase = .liveness(healedAt: now)
        network.healAll()
        for master in masters {
            master.slowDiskUntil = 0
            master.failNextWrite = false
        }
        for master in masters where !master.up { master.restart(incarnation: master.incarnation) }
        for agent in agents where !agent.up { agent.restart(incarnation: agent.incarnation) }
        for scheduler in schedulers { scheduler.finishedAtHeal = scheduler.finished }
        schedule(.livenessCheck, after: 1_000_000, key: key(25, 0))
    }

    func livenessCheck() {
        guard schedulers.allSatisfy(\.done) else {
            schedule(.livenessCheck, after: 1_000_000, key: key(25, 0))
            return
        }
        if let leader = masters.first(where: { if case .leading = $0.phase { true } else { false } }) {
            checker.checkEnd(registry: leader.registry)
        } else {
            schedule(.livenessCheck, after: 1_000_000, key: key(25, 0))
            return
        }
        phase = .done
    }

    /// Where the workload stands, for a liveness failure.
    func progress() -> String {
        schedulers.map { scheduler in
            let open = scheduler.tasks.filter { $0.value.terminal == nil && !$0.value.unknownAfterHeal }
            let sample = open.keys.sorted { $0.value < $1.value }.prefix(3).map {
                "\($0.value) (\(open[$0]?.state?.rawValue ?? "no update"))"
            }
            return
                "\(scheduler.name): \(scheduler.finished - scheduler.finishedAtHeal) finished since the heal, \(open.count) open \(sample)"
        }.joined(separator: "; ")
    }
}
