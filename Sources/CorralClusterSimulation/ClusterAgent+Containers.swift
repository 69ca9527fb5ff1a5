import CorralAgent
import CorralModel

extension ClusterAgent {
    /// Starts a task's container: running within a few milliseconds, exiting (TASK_FINISHED)
    /// after the time its command names (`sleep SECONDS`).
    func startContainer(_ launch: TaskLaunch) {
        let resources = Resources(launch.task.resources)
        let cpus = resources.scalar(named: "cpus")?.value ?? 0
        let mem = resources.scalar(named: "mem")?.value ?? 0
        engine.checker.observeContainerStart(
            launch.key,
            agent: index,
            cpus: cpus,
            mem: mem,
            running: liveUse()
        )
        engine.nextSerial += 1
        let serial = engine.nextSerial
        let seconds = launch.task.command?.value.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 1
        containers[launch.key] = Container(
            serial: serial,
            cpus: cpus,
            mem: mem,
            state: .starting,
            runMicros: UInt64(seconds * 1_000_000)
        )
        engine.counters.containersStarted += 1
        engine.schedule(
            .containerRunning(agent: index, key: launch.key, serial: serial),
            after: UInt64.random(in: 1_000...5_000, using: &rng),
            key: engine.key(17, index, serial)
        )
    }

    /// What the live containers hold now.
    /// Summed in thousandths, as integers: a sum of doubles would depend on the dictionary's
    /// order, which changes with each process's hash seed.
    func liveUse() -> (cpus: Double, mem: Double) {
        var cpus = 0
        var mem = 0
        for container in containers.values {
            if case .exited = container.state { continue }
            cpus += Int((container.cpus * 1000).rounded())
            mem += Int((container.mem * 1000).rounded())
        }
        return (Double(cpus) / 1000, Double(mem) / 1000)
    }

    func containerRunning(_ key: TaskKey, serial: UInt64) {
        guard var container = containers[key], container.serial == serial, case .starting = container.state
        else { return }
        container.state = .running
        containers[key] = container
        engine.schedule(
            .containerExited(agent: index, key: key, serial: serial),
            after: container.runMicros,
            key: engine.key(18, index, serial)
        )
        feed(
            .taskRunning(key, containerID: ContainerID("c\(serial)"), pid: UInt32(truncatingIfNeeded: serial))
        )
    }

    func containerExited(_ key: TaskKey, serial: UInt64) {
        exit(
            key,
            serial: serial,
            TaskEnd(state: .finished, reason: nil, message: "exited with status 0", exitStatus: 0)
        )
    }

    private func exit(_ key: TaskKey, serial: UInt64, _ end: TaskEnd) {
        guard var container = containers[key], container.serial == serial else { return }
        if case .exited = container.state { return }
        container.state = .exited(end)
        containers[key] = container
        feed(.taskEnded(key, end))
    }

    /// SIGTERM: the container exits within a few milliseconds, TASK_KILLED.
    func kill(_ key: TaskKey) {
        guard let container = containers[key] else {
            feed(
                .launchFailed(key, TaskEnd(state: .killed, reason: nil, message: "killed before it started"))
            )
            return
        }
        if case .exited = container.state { return }
        let serial = container.serial
        let end = TaskEnd(state: .killed, reason: nil, message: "killed by SIGTERM", exitStatus: 15)
        let delay = UInt64.random(in: 500...20_000, using: &rng)
        engine.schedule(
            .containerKilled(agent: index, key: key, serial: serial, end: end),
            after: delay,
            key: engine.key(19, index, serial)
        )
    }

    func containerKilled(_ key: TaskKey, serial: UInt64, end: TaskEnd) {
        exit(key, serial: serial, end)
    }

    /// After a restart: the container is re-attached to, or what became of it is reported.
    func recover(_ key: TaskKey) {
        guard let container = containers[key] else {
            feed(
                .launchFailed(
                    key,
                    TaskEnd(state: .failed, reason: nil, message: "no container was found for the task")
                )
            )
            return
        }
        switch container.state {
        case .starting: break  // `containerRunning` reports it.
        case .running:
            feed(
                .taskRunning(
                    key,
                    containerID: ContainerID("c\(container.serial)"),
                    pid: UInt32(truncatingIfNeeded: container.serial)
                )
            )
        case .exited(let end): feed(.taskEnded(key, end))
        }
    }
}
