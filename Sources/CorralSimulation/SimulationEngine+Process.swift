import CorralRaft

extension SimulationEngine {
    // MARK: - Process pauses, clock jumps, false refusals

    /// One step of the process-level faults: pauses, clock jumps, false refusals.
    func processFaultStep() {
        let faults = config.faults
        if processRNG.chance(faults.pauseProbability) { pauseRandomNode() }
        if processRNG.chance(faults.clockJumpProbability) { jumpRandomClock() }
        if processRNG.chance(faults.falseRefusalProbability) { reportFalseRefusals() }
    }

    /// Stops a running node (the leader half the time) for a while: it handles nothing
    /// until it resumes, then gets everything it missed at once.
    private func pauseRandomNode() {
        let running = shells.indices.filter { shells[$0].node != nil && !shells[$0].isPaused }
        guard var index = running.randomElement(using: &processRNG) else { return }
        if processRNG.chance(0.5), let leader = currentLeader(), !leader.isPaused { index = Int(leader.id) - 1 }
        let shell = shells[index]
        let duration = UInt64.random(in: 30_000...max(30_000, config.faults.maxPauseMicros), using: &processRNG)
        shell.pausedUntil = now + duration
        counters.pauses += 1
        trace.record(time: now, node: shell.id, code: 41, duration, text: "process paused for \(formatMicros(duration))")
        queue.push(.resume(node: index, incarnation: shell.incarnation), at: now + duration, key: eventKey(12, shell.id, shell.incarnation))
    }

    /// A paused node runs again: the ticks it missed arrive as a burst, with the messages
    /// and disk completions that queued up, in the order they came.
    func resume(_ index: Int, incarnation: UInt64) {
        let shell = shells[index]
        guard shell.incarnation == incarnation, shell.isPaused else { return }
        shell.pausedUntil = nil
        let missed = shell.deferred
        shell.deferred.removeAll()
        trace.record(time: now, node: shell.id, code: 42, UInt64(missed.count), text: "process resumes with \(missed.count) queued events")
        for item in missed {
            guard shell.incarnation == incarnation, !shell.isPaused else { return }
            switch item {
            case .input(let input):
                feed(index, input)
            case .writeDone(let writeIncarnation, let sequence):
                writeDone(index, incarnation: writeIncarnation, sequence: sequence)
            }
        }
    }

    /// A node's clock steps: forward, so it ticks many times at once, or back, so it skips
    /// its next ticks.
    private func jumpRandomClock() {
        let running = shells.indices.filter { shells[$0].node != nil }
        guard let index = running.randomElement(using: &processRNG) else { return }
        let shell = shells[index]
        let ticks = Int.random(in: 3...30, using: &processRNG)
        counters.clockJumps += 1
        if processRNG.chance(0.6) {
            trace.record(time: now, node: shell.id, code: 43, UInt64(ticks), text: "clock jumps forward \(ticks) ticks")
            for _ in 0..<ticks where shell.node != nil { feed(index, .tick) }
        } else {
            trace.record(time: now, node: shell.id, code: 44, UInt64(ticks), text: "clock jumps back \(ticks) ticks")
            shell.skippedTicks += ticks
        }
    }

    /// Tells followers that the live leader refuses connections (a firewall REJECT, a
    /// resetting proxy); sometimes repeatedly, over several heartbeat intervals.
    private func reportFalseRefusals() {
        guard let leader = currentLeader(), !leader.isPaused else { return }
        let about = Int(leader.id) - 1
        let repeated = processRNG.chance(config.faults.repeatedRefusalShare)
        for reporter in shells.indices where reporter != about && shells[reporter].node != nil {
            guard shells.count <= 3 || processRNG.chance(0.8) else { continue }
            var at = now + UInt64.random(in: 500...20_000, using: &processRNG)
            let count = repeated ? Int.random(in: 2...5, using: &processRNG) : 1
            for _ in 0..<count {
                refusalSerial += 1
                counters.falseRefusals += 1
                queue.push(.falseRefusal(reporter: reporter, about: about), at: at, key: eventKey(13, refusalSerial))
                at += UInt64.random(in: 5_000...40_000, using: &processRNG)
            }
        }
    }
}
