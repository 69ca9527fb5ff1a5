import CorralModel
import CorralScheduler
import Logging

extension AgentProcess {
    /// What the shell holds in its `DurableQueue`: the machine's effects, and the removal of an
    /// ended task's container record (which must wait until its terminal update is durable).
    enum Queued: Sendable {
        case effect(AgentEffect)
        case release(TaskKey)
        /// The same for an exited executor's container.
        case releaseExecutor(ExecutorKey)
    }

    /// Carries out effects in order. Checkpoint writes go to disk off the actor, merged with
    /// those of other steps that come in meanwhile (group commit); every other effect waits
    /// until all writes asked for before it are durable.
    func carryOut(_ effects: [AgentEffect]) {
        let entries = effects.map { effect -> DurableQueue<Queued>.Entry in
            if case .persist(let changes) = effect { return .write(changes) }
            return .item(.effect(effect))
        }
        perform(durable.submit(entries))
    }

    /// Removes an ended task's container record once everything asked for so far (its
    /// terminal update above all) is durable.
    func releaseWhenDurable(_ key: TaskKey) {
        perform(durable.submit([.item(.release(key))]))
    }

    func perform(_ step: DurableQueue<Queued>.Step) {
        for item in step.run {
            guard failure == nil else { return }
            switch item {
            case .effect(let effect): execute(effect)
            case .release(let key): job { await self.release(key) }
            case .releaseExecutor(let key): job { await self.releaseExecutor(key) }
            }
        }
        guard let changes = step.write, failure == nil else { return }
        let checkpoint = checkpoint
        job {
            let error = await BlockingWork.run { () -> AgentCheckpointError? in
                do throws(AgentCheckpointError) { try checkpoint.apply(changes) } catch { return error }
                return nil
            }
            await self.checkpointWritten(error)
        }
    }

    private func checkpointWritten(_ error: AgentCheckpointError?) {
        guard failure == nil else { return }
        if let error {
            stop(AgentProcessError("cannot write the agent's checkpoint (\(error)); stopping so that no update is lost. Free space in the work dir and start the agent again."))
            return
        }
        perform(durable.written())
    }

    private func release(_ key: TaskKey) async {
        do { try await runner.release(key) } catch {
            logger.warning("could not remove an ended task's container record", metadata: ["task": "\(key)", "error": "\(error)"])
        }
    }

    /// Carries out one effect other than a checkpoint write.
    private func execute(_ effect: AgentEffect) {
        switch effect {
        case .persist:
            assertionFailure("checkpoint writes go through the durable queue")
        case .subscribe(let call, let connection):
            for (number, subscription) in subscriptions where number != connection { subscription.close() }
            subscriptions = subscriptions.filter { $0.key == connection }
            job { await self.subscribe(call, connection: connection) }
        case .post(let call, let streamID):
            job { await self.post(call, streamID: streamID) }
        case .closeStream(let connection):
            subscriptions.removeValue(forKey: connection)?.close()
        case .launch(let launch):
            attachSandbox(
                launch.key, executor: launch.executor?.executorID ?? launch.task.executor?.executorID ?? ExecutorID(launch.key.taskID.value))
            job { await self.launch(launch) }
        case .recover(let task):
            recover(task)
        case .kill(let key, let grace):
            job { await self.kill(key, grace: grace) }
        case .startHealthChecks(let key, let check):
            healthChecked.insert(key)
            job { await self.runHealthChecks(key, check) }
        case .stopHealthChecks(let key):
            healthChecked.remove(key)
        case .launchExecutor, .recoverExecutor, .sendExecutor, .closeExecutorStream, .killExecutor:
            executeForExecutor(effect)
        case .armTimer(let at):
            arm(at)
        case .keepVolumes(let listed, let inUse):
            let workDirectory = runner.configuration.workDirectory
            let logger = logger
            job {
                let result = await BlockingWork.run { () -> Result<[String], any Error> in
                    Result { try PersistentVolumes.sync(listed: listed, inUse: inUse, workDirectory: workDirectory) }
                }
                switch result {
                case .success(let deleted):
                    for path in deleted { logger.notice("deleted the data of a destroyed persistent volume", metadata: ["path": "\(path)"]) }
                case .failure(let error):
                    logger.error("cannot bring the persistent volumes in line with the master's list", metadata: ["error": "\(error)"])
                }
            }
        case .log(let level, let message, let metadata):
            logger.log(level: level, "\(message)", metadata: metadata.mapValues { .string($0) })
        }
    }

    func job(_ work: @escaping @Sendable () async -> Void) {
        jobSink.yield(work)
    }

    // MARK: - Master

    private func subscribe(_ call: AgentCall, connection: UInt64) async {
        let subscription: MasterSubscription
        do {
            subscription = try await link.subscribe(call)
        } catch {
            step(.subscribeFailed(connection: connection, message: "\(error)"))
            return
        }
        guard opened(subscription, connection: connection) else { return }
        do {
            for try await event in subscription.events {
                step(.event(event, connection: connection))
                if let stale = desync.carried(event, from: subscription.master) {
                    logger.warning(
                        "failpoint agent.stream.desync: replaying a record of an older term on this stream",
                        metadata: [
                            "type": "\(stale.type.rawValue)", "term": "\(stale.term)", "stream_term": "\(event.term)",
                            "master": "\(subscription.master)",
                        ])
                    step(.event(stale, connection: connection))
                }
            }
            ended(connection, "the master closed the stream")
        } catch {
            ended(connection, "\(error)")
        }
    }

    /// Files a new subscription, unless the machine moved on while it was being made.
    private func opened(_ subscription: MasterSubscription, connection: UInt64) -> Bool {
        guard failure == nil else {
            subscription.close()
            return false
        }
        subscriptions[connection] = subscription
        logger.info("subscribed to a master", metadata: ["master": "\(subscription.master)", "connection": "\(connection)"])
        step(.subscribeAnswered(connection: connection, streamID: subscription.streamID))
        return true
    }

    private func ended(_ connection: UInt64, _ message: String) {
        guard subscriptions.removeValue(forKey: connection) != nil else { return }
        step(.streamEnded(connection: connection, message: message))
    }

    private func post(_ call: AgentCall, streamID: String) async {
        let answer = await link.post(call, streamID: streamID)
        guard call.type == .update, let uuid = call.update?.status.uuid else { return }
        let outcome: AgentInput.CallOutcome
        switch answer {
        case .accepted: outcome = .acknowledged
        case .refused(let status, let message): outcome = .refused("\(status): \(message)")
        case .failed(let error): outcome = .failed("\(error)")
        }
        step(.callAnswered(uuid: uuid, outcome))
    }

    // MARK: - Tasks

    private func launch(_ launch: TaskLaunch) async {
        launchesInFlight.insert(launch.key)
        let started = ContinuousClock.now
        let result = await runner.launch(launch)
        metrics.launched(after: .now - started, running: (try? result.get()) != nil)
        launchesInFlight.remove(launch.key)
        switch result {
        case .success(let running):
            step(.taskRunning(launch.key, containerID: ContainerID(running.containerID), pid: UInt32(exactly: running.pid)))
        case .failure(let end):
            step(.launchFailed(launch.key, end))
        }
        if let end = endsDuringLaunch.removeValue(forKey: launch.key) {
            step(.taskEnded(launch.key, end))
            releaseWhenDurable(launch.key)
        }
    }

    private func kill(_ key: TaskKey, grace: Duration) async {
        do { try await runner.kill(key, grace: grace) } catch {
            logger.error("could not kill a task", metadata: ["task": "\(key)", "error": "\(error)"])
        }
    }

    /// After a restart: what the runner found of a task the checkpoint had as live.
    private func recover(_ task: AgentTask) {
        guard let found = recovered.removeValue(forKey: task.key) else {
            step(.launchFailed(task.key, TaskEnd(
                state: .failed, reason: .executorTerminated,
                message: "no container was found for the task when the agent restarted: its runtime directory "
                    + "\(runner.configuration.runtimeDirectory) holds no record of it (the machine restarted, or the "
                    + "directory was cleared)")))
            return
        }
        switch found.state {
        case .running(let running):
            step(.taskRunning(task.key, containerID: ContainerID(running.containerID), pid: UInt32(exactly: running.pid)))
        case .ended(let end):
            let key = task.key
            step(.taskEnded(key, end))
            releaseWhenDurable(key)
        }
    }

    // MARK: - Health checks

    /// Runs the task's check after its delay and then every interval, while the task has checks.
    private func runHealthChecks(_ key: TaskKey, _ check: HealthCheck) async {
        let delay = Duration.milliseconds(Int64((check.delaySeconds ?? 15) * 1_000))
        let interval = Duration.milliseconds(Int64(max(check.intervalSeconds ?? 10, 0.05) * 1_000))
        try? await Task.sleep(for: delay)
        while healthChecked.contains(key), failure == nil {
            let pid = machine.tasks[key]?.executorPID
            let result = await BlockingWork.run { HealthProbe.run(check, pid: pid) }
            guard healthChecked.contains(key) else { return }
            step(.healthChecked(key, healthy: result.healthy, message: result.message))
            try? await Task.sleep(for: interval)
        }
    }

    // MARK: - Timer

    /// The machine wants a tick at `at` (replacing any earlier request). A sleeping job is
    /// started only when none sleeps until that instant or earlier.
    private func arm(_ at: ContinuousClock.Instant) {
        timerDue = at
        guard !timerSleepers.contains(where: { $0 <= at }) else { return }
        timerSleepers.insert(at)
        job { await self.sleepThenTick(until: at) }
    }

    private func sleepThenTick(until at: ContinuousClock.Instant) async {
        try? await Task.sleep(until: at, clock: .continuous)
        timerWoke(at)
    }

    private func timerWoke(_ at: ContinuousClock.Instant) {
        timerSleepers.remove(at)
        guard let due = timerDue else { return }
        if due <= clock.now {
            timerDue = nil
            step(.tick)
        } else if !timerSleepers.contains(where: { $0 <= due }) {
            arm(due)
        }
    }
}
