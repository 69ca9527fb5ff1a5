import CorralModel
import Foundation
import Logging

// MARK: - Custom executors: their containers and the Executor API's streams

extension AgentProcess: ExecutorEndpoint {
    /// An executor's container is kept by `executorRunner` under this key.
    static func containerKey(of key: ExecutorKey) -> TaskKey { TaskKey(key.frameworkID, TaskID(key.executorID.value)) }
    static func executorKey(of key: TaskKey) -> ExecutorKey { ExecutorKey(key.frameworkID, ExecutorID(key.taskID.value)) }

    /// Carries out an effect about executors.
    func executeForExecutor(_ effect: AgentEffect) {
        switch effect {
        case .launchExecutor(let executor):
            files.attach(
                executorRunner.configuration.sandbox(for: Self.containerKey(of: executor.key)),
                as: "/frameworks/\(executor.key.frameworkID.value)/executors/\(executor.key.executorID.value)/runs/latest")
            job { await self.launchExecutor(executor) }
        case .recoverExecutor(let executor):
            recoverExecutor(executor)
        case .sendExecutor(let stream, let event):
            guard let continuation = executorStreams[stream] else { return }
            do {
                continuation.yield(RecordIO.encode(try MesosJSON.encode(event)))
            } catch {
                logger.error("cannot encode an executor event", metadata: ["type": "\(event.type)", "error": "\(error)"])
            }
        case .closeExecutorStream(let stream):
            executorStreams.removeValue(forKey: stream)?.finish()
        case .killExecutor(let key, let after):
            job { await self.killExecutor(key, after: after) }
        default:
            assertionFailure("not an executor effect: \(effect)")
        }
    }

    /// The environment an executor gets (Mesos's `executorEnvironment`), on top of what every
    /// container gets (`TaskLaunchPlan`). An agent on HTTPS tells its executors as Mesos's
    /// libprocess does: `LIBPROCESS_SSL_ENABLED=true` and the CA in `LIBPROCESS_SSL_CA_FILE`.
    func executorEnvironment(_ executor: AgentExecutor) -> [String: String] {
        let host = ["0.0.0.0", "::", ""].contains(address.host) ? "127.0.0.1" : address.host
        let grace = executor.info.shutdownGracePeriod.map { Duration.nanoseconds(max($0.nanoseconds, 0)) }
            ?? machine.configuration.executorShutdownGrace
        var tls: [String: String] = [:]
        if let files = config.tls {
            tls["LIBPROCESS_SSL_ENABLED"] = "true"
            tls["LIBPROCESS_SSL_CA_FILE"] = files.ca.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        }
        return tls.merging([
            "MESOS_AGENT_ENDPOINT": "\(host):\(address.port)",
            "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD": ExecutorLaunchPlan.mesosDuration(grace),
            "MESOS_SUBSCRIPTION_BACKOFF_MAX": ExecutorLaunchPlan.mesosDuration(.seconds(2)),
            "MESOS_RECOVERY_TIMEOUT": ExecutorLaunchPlan.mesosDuration(.seconds(15 * 60)),
            "MESOS_HTTP_COMMAND_EXECUTOR": "0",
        ]) { _, mine in mine }
    }

    private func launchExecutor(_ executor: AgentExecutor) async {
        let launch = ExecutorLaunchPlan.launch(
            for: executor, agentID: machine.info.id ?? AgentID(""), environment: executorEnvironment(executor))
        executorLaunchesInFlight.insert(executor.key)
        // A previous executor under this key that just ended (its end is durable: this effect
        // came after it) leaves its record first, so the new one cannot keep it from going.
        await releaseExecutor(executor.key)
        let result = await executorRunner.launch(launch)
        executorLaunchesInFlight.remove(executor.key)
        switch result {
        case .success(let running):
            step(.executorRunning(executor.key, containerID: ContainerID(running.containerID), pid: UInt32(exactly: running.pid)))
        case .failure(let end):
            step(.executorEnded(executor.key, end))
        }
        if let end = executorEndsDuringLaunch.removeValue(forKey: executor.key) {
            step(.executorEnded(executor.key, end))
            perform(durable.submit([.item(.releaseExecutor(executor.key))]))
        }
    }

    /// After a restart: what the executor runner found of an executor the checkpoint had.
    private func recoverExecutor(_ executor: AgentExecutor) {
        guard let found = recoveredExecutors.removeValue(forKey: executor.key) else {
            step(.executorEnded(executor.key, TaskEnd(
                state: .failed, reason: .executorTerminated,
                message: "no container was found for the executor when the agent restarted: its runtime directory "
                    + "\(executorRunner.configuration.runtimeDirectory) holds no record of it (the machine restarted, or the "
                    + "directory was cleared)")))
            return
        }
        switch found.state {
        case .running(let running):
            step(.executorRunning(executor.key, containerID: ContainerID(running.containerID), pid: UInt32(exactly: running.pid)))
        case .ended(let end):
            step(.executorEnded(executor.key, end))
            perform(durable.submit([.item(.releaseExecutor(executor.key))]))
        }
    }

    func executorEnded(_ key: ExecutorKey, _ end: TaskEnd) async {
        guard !executorLaunchesInFlight.contains(key) else {
            executorEndsDuringLaunch[key] = end
            return
        }
        step(.executorEnded(key, end))
        perform(durable.submit([.item(.releaseExecutor(key))]))
    }

    /// Waits `after` for the executor to exit by itself, then kills its container.
    private func killExecutor(_ key: ExecutorKey, after: Duration) async {
        try? await Task.sleep(for: after)
        guard machine.executors[key] != nil else { return }
        do { try await executorRunner.kill(Self.containerKey(of: key), grace: .milliseconds(100)) } catch {
            logger.error("could not kill an executor", metadata: ["executor": "\(key)", "error": "\(error)"])
        }
    }

    func releaseExecutor(_ key: ExecutorKey) async {
        do { try await executorRunner.release(Self.containerKey(of: key)) } catch {
            logger.warning("could not remove an exited executor's container record", metadata: ["executor": "\(key)", "error": "\(error)"])
        }
    }

    /// Executor containers the checkpoint does not know: strays of a launch that crashed.
    func killOrphanExecutors(known: Set<ExecutorKey>) async {
        for (key, found) in recoveredExecutors where !known.contains(key) {
            recoveredExecutors[key] = nil
            logger.notice("killing an executor container the checkpoint does not know", metadata: ["executor": "\(key)", "container": "\(found.containerID)"])
            let containerKey = Self.containerKey(of: key)
            try? await executorRunner.kill(containerKey, grace: .seconds(1))
            try? await executorRunner.release(containerKey)
        }
    }

    // MARK: - ExecutorEndpoint

    /// While the agent recovers, executors are told to try again (503, as Mesos answers).
    private var recovering: ExecutorCallRefusal? {
        guard case .stopped = machine.connection else { return nil }
        return ExecutorCallRefusal(status: 503, message: "the agent is recovering its executors; subscribe again shortly")
    }

    public func subscribe(_ call: ExecutorCall) async -> Result<ExecutorEventStream, ExecutorCallRefusal> {
        if let recovering { return .failure(recovering) }
        if let refusal = machine.executorCallRefusal(call) {
            return .failure(ExecutorCallRefusal(status: refusal.status, message: refusal.message))
        }
        guard failure == nil else { return .failure(ExecutorCallRefusal(status: 503, message: "the agent is stopping")) }
        let number = nextExecutorStream
        nextExecutorStream += 1
        let (records, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let key = ExecutorKey(call.frameworkID, call.executorID)
        let sink = jobSink
        continuation.onTermination = { _ in
            sink.yield { await self.executorStreamEnded(key, stream: number) }
        }
        executorStreams[number] = continuation
        step(.executorSubscribed(key, stream: number, call.subscribe ?? ExecutorCall.Subscribe()))
        return .success(ExecutorEventStream(records: records))
    }

    public func accept(_ call: ExecutorCall) async -> ExecutorCallRefusal? {
        if let recovering { return recovering }
        if let refusal = machine.executorCallRefusal(call) {
            return ExecutorCallRefusal(status: refusal.status, message: refusal.message)
        }
        guard failure == nil else { return ExecutorCallRefusal(status: 503, message: "the agent is stopping") }
        let key = ExecutorKey(call.frameworkID, call.executorID)
        switch call.type {
        case .update:
            if let status = call.update?.status { step(.executorUpdate(key, status)) }
        case .message:
            step(.executorMessage(AgentCall.FrameworkMessage(frameworkID: key.frameworkID, executorID: key.executorID, data: call.message?.data ?? [])))
        default:
            break
        }
        return nil
    }

    private func executorStreamEnded(_ key: ExecutorKey, stream: UInt64) {
        executorStreams.removeValue(forKey: stream)
        step(.executorDisconnected(key, stream: stream))
    }
}
