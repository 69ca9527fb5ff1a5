import CorralModel

extension ClusterScheduler {
    func streamDelivery(_ delivery: StreamDelivery) {
        guard delivery.master == master, delivery.streamID == streamID else { return }
        lastHeard = engine.now
        switch delivery.payload {
        case .scheduler(let event):
            handle(event)
        case .ended:
            engine.note("\(name)'s stream from m\(master + 1) ended")
            streamID = nil
        case .agent:
            break
        }
    }

    private func handle(_ event: SchedulerEvent) {
        switch event.type {
        case .offers:
            let offers = event.offers?.offers ?? []
            engine.note(
                "\(name) offered \(offers.map { "\($0.agentID.value.prefix(8)): \(Resources($0.resources))" }.joined(separator: ", "))"
            )
            for offer in offers { use(offer) }
        case .update:
            guard let status = event.update?.status else { return }
            engine.note(
                "\(name) hears \(status.taskID.value) \(status.state.rawValue)\(status.uuid == nil ? "" : " (to acknowledge)")"
            )
            update(status)
        case .error:
            engine.note("\(name) told: \(event.error?.message ?? "error")")
            streamID = nil
        default:
            break
        }
    }

    /// Launches tasks from the offer while the workload needs more, or declines it.
    private func use(_ offer: Offer) {
        var left = Resources(offer.resources).unallocated
        var launch: [TaskInfo] = []
        while launch.count < min(wanted, 3) {
            let cpus = Double(Int.random(in: 1...4, using: &rng)) / 4
            let mem = Double(Int.random(in: 1...8, using: &rng)) * 64
            let need = Resources([.scalar("cpus", Scalar(cpus)), .scalar("mem", Scalar(mem))])
            guard left.contains(need) else { break }
            left -= need
            nextTask += 1
            let seconds = Double(Int.random(in: 2...30, using: &rng)) / 10
            let task = TaskInfo(
                name: "\(name)-t\(nextTask)",
                taskID: TaskID("\(name)-t\(nextTask)"),
                agentID: offer.agentID,
                resources: Array(need),
                command: CommandInfo(value: "sleep \(seconds)")
            )
            launch.append(task)
        }
        guard !launch.isEmpty else {
            var decline = newCall(.decline)
            decline.decline = SchedulerCall.Decline(
                offerIDs: [offer.id],
                filters: Filters(refuseSeconds: 0.5)
            )
            call(decline, .decline(decline))
            return
        }
        for task in launch { tasks[task.taskID] = Track(agent: offer.agentID) }
        var accept = newCall(.accept)
        accept.accept = SchedulerCall.Accept(
            offerIDs: [offer.id],
            operations: [.launch(launch)],
            filters: Filters(refuseSeconds: 0)
        )
        engine.counters.tasksLaunched += launch.count
        call(accept, .accept(launch.map(\.taskID)))
    }

    private func update(_ status: TaskStatus) {
        engine.checker.observeUpdate(status, scheduler: index, frameworkID: frameworkID)
        if let uuid = status.uuid, let agent = status.agentID {
            var ack = newCall(.acknowledge)
            ack.acknowledge = SchedulerCall.Acknowledge(agentID: agent, taskID: status.taskID, uuid: uuid)
            call(ack)
        }
        guard var track = tasks[status.taskID] else { return }
        if status.state == .unknown {
            if case .liveness(let healedAt) = engine.phase, lastReconcile >= healedAt,
                let settled = track.settledAt, settled <= lastReconcile
            {
                track.unknownAfterHeal = true
            }
        } else {
            track.unknownAfterHeal = false
            track.state = status.state
            if status.state.isTerminal, track.terminal == nil {
                track.terminal = status.state
                if status.state == .finished { finished += 1 }
            }
        }
        tasks[status.taskID] = track
    }
}
