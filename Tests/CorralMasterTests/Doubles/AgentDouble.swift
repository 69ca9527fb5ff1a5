import CorralModel
import CorralScheduler
import Foundation
import NIOHTTP1

/// A test double of an agent: it speaks the agent protocol to the masters (subscribe,
/// re-subscribe after a fail-over, heartbeats, status updates sent until the master answers
/// 202, term fencing) but runs no containers. Each launched task reports TASK_RUNNING, then
/// TASK_FINISHED unless `holdTasks` keeps it running until a KILL.
actor AgentDouble {
    struct Key: Hashable, Sendable, CustomStringConvertible {
        var framework: FrameworkID
        var task: TaskID
        var description: String { "\(framework)/\(task)" }
    }

    let masters: [MasterAddress]
    let hostname: String
    let resources: [Resource]
    let holdTasks: Bool
    private let client = HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))

    private(set) var agentID: AgentID?
    private(set) var highestTerm: UInt64 = 0
    private(set) var subscriptions = 0
    /// How many times each task was started: must never exceed 1.
    private(set) var starts: [Key: Int] = [:]
    /// LAUNCH events for tasks already known (ignored, as the protocol says).
    private(set) var repeatedLaunches = 0
    private(set) var staleEventsIgnored = 0
    private var latest: [Key: TaskStatus] = [:]
    private var unacknowledged: [(Key, TaskStatus)] = []
    /// Calls to send once (messages).
    private var outgoing: [AgentCall] = []
    private var master: MasterAddress?
    private var streamID: String?
    private var heartbeatSeconds = 1.0
    private var stopped = false
    private var paused = false
    private var connection: HTTPStreamControl?

    init(masters: [String], hostname: String = "agent-double", cpus: Double = 8, memMegabytes: Double = 4096, holdTasks: Bool = false) {
        self.masters = masters.compactMap { MasterAddress($0) }
        self.hostname = hostname
        self.holdTasks = holdTasks
        resources = [.scalar("cpus", Scalar(cpus)), .scalar("mem", Scalar(memMegabytes))]
    }

    var isSubscribed: Bool { streamID != nil }

    /// What it knows, for a failure message.
    var summary: String {
        let byState = Dictionary(grouping: latest, by: { $0.value.state.rawValue }).mapValues(\.count)
        return "agent \(agentID?.value ?? "-") on \(master.map(\.description) ?? "-") term \(highestTerm), subscriptions \(subscriptions), "
            + "tasks \(byState), unacknowledged \(unacknowledged.count), repeated launches \(repeatedLaunches)"
    }
    var taskStates: [Key: TaskState] { latest.mapValues(\.state) }

    func stop() { stopped = true }

    /// Goes silent, as a partitioned agent would: the stream closes, heartbeats and updates stop.
    func pause() {
        paused = true
        connection?.close()
    }

    /// Comes back: re-subscribes with its ID and reports its tasks.
    func resume() { paused = false }

    /// Runs until `stop()` or cancellation: keeps a subscription to the leader, following
    /// 307s and rotating through the masters, and sends heartbeats and pending updates.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.subscribeLoop() }
            group.addTask { await self.sendLoop() }
            group.addTask { await self.heartbeatLoop() }
            await group.next()
            group.cancelAll()
        }
    }

    private func subscribeLoop() async {
        var index = 0
        var target: MasterAddress? = nil
        while !Task.isCancelled && !stopped {
            if paused {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            let address = target ?? masters[index % masters.count]
            target = nil
            do {
                target = try await subscribe(to: address)
            } catch {
                // Refused, reset or timed out: try the next master.
            }
            streamID = nil
            if target == nil { index += 1 }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// One subscription; returns a redirect target if the master answered 307.
    private func subscribe(to address: MasterAddress) async throws -> MasterAddress? {
        var info = AgentInfo(hostname: hostname, resources: resources)
        info.id = agentID
        let reported = latest.map { AgentCall.TaskReport(frameworkID: $0.key.framework, status: $0.value) }
        var call = AgentCall(type: .subscribe, agentID: agentID)
        call.subscribe = AgentCall.Subscribe(agentInfo: info, tasks: reported, highestTerm: highestTerm)
        let request = HTTPStreamRequest(
            method: .POST, path: "/corral/v1/agent", headers: ["Content-Type": "application/json"],
            body: try MesosJSON.encode(call))
        return try await client.stream(request, host: address.host, port: address.port) { response in
            if response.status == .temporaryRedirect {
                return response.headers.first(name: "Location").flatMap(MasterAddress.init(location:))
            }
            guard response.status == .ok else { return nil }
            connection = response.control
            master = address
            streamID = response.headers.first(name: "Corral-Agent-Stream-Id")
            var decoder = RecordIODecoder()
            for try await chunk in response.body {
                for record in try decoder.decode(chunk.readableBytesView) {
                    handle(try MesosJSON.decode(AgentEvent.self, from: record))
                }
                if stopped { return nil }
            }
            return nil
        }
    }

    private func handle(_ event: AgentEvent) {
        guard event.term >= highestTerm else {
            staleEventsIgnored += 1
            return
        }
        highestTerm = event.term
        switch event.type {
        case .subscribed:
            if let subscribed = event.subscribed {
                agentID = subscribed.agentID
                heartbeatSeconds = subscribed.heartbeatIntervalSeconds
                subscriptions += 1
            }
        case .launch:
            guard let launch = event.launch else { return }
            for task in launch.tasks { start(Key(framework: launch.frameworkID, task: task.taskID)) }
        case .kill:
            guard let kill = event.kill else { return }
            finish(Key(framework: kill.frameworkID, task: kill.taskID), .killed)
        case .message:
            // Executors here are echoes: a framework message comes straight back, but "exit"
            // makes the executor exit with status 1 (EXITED_EXECUTOR).
            guard let message = event.message, let agentID else { return }
            if message.data == Array("exit".utf8) {
                var call = AgentCall(type: .exitedExecutor, agentID: agentID)
                call.exitedExecutor = AgentCall.ExitedExecutor(frameworkID: message.frameworkID, executorID: message.executorID, status: 256)
                outgoing.append(call)
                return
            }
            var call = AgentCall(type: .message, agentID: agentID)
            call.message = message
            outgoing.append(call)
        case .shutdownFramework:
            guard let id = event.shutdownFramework?.frameworkID else { return }
            for key in latest.keys where key.framework == id { finish(key, .killed) }
        default:
            break
        }
    }

    private func start(_ key: Key) {
        guard latest[key] == nil else {
            repeatedLaunches += 1
            return
        }
        starts[key, default: 0] += 1
        report(key, .running)
        if !holdTasks { report(key, .finished) }
    }

    private func finish(_ key: Key, _ state: TaskState) {
        guard let current = latest[key], !current.state.isTerminal else { return }
        report(key, state)
    }

    private func report(_ key: Key, _ state: TaskState) {
        let status = TaskStatus(
            taskID: key.task, state: state, source: .executor, agentID: agentID,
            timestamp: Date().timeIntervalSince1970, uuid: withUnsafeBytes(of: UUID().uuid) { Array($0) })
        latest[key] = status
        unacknowledged.append((key, status))
    }

    /// Sends a heartbeat to the current master every interval, each on its own: one stuck on
    /// a paused master (until the read timeout) must not hold back the next one to the new
    /// leader, or that leader would find the agent silent and mark it unreachable.
    private func heartbeatLoop() async {
        await withDiscardingTaskGroup { group in
            var lastHeartbeat = ContinuousClock.now
            while !Task.isCancelled && !stopped {
                try? await Task.sleep(for: .milliseconds(50))
                guard !paused, let master, let streamID, let agentID,
                    ContinuousClock.now - lastHeartbeat >= .seconds(heartbeatSeconds)
                else { continue }
                lastHeartbeat = .now
                group.addTask {
                    _ = try? await self.post(AgentCall(type: .heartbeat, agentID: agentID), to: master, streamID: streamID)
                }
            }
            group.cancelAll()
        }
    }

    /// Sends every unacknowledged update, in order, to the current master.
    private func sendLoop() async {
        while !Task.isCancelled && !stopped {
            try? await Task.sleep(for: .milliseconds(50))
            guard !paused, let master, let streamID, let agentID else { continue }
            while !outgoing.isEmpty {
                let call = outgoing.removeFirst()
                _ = try? await post(call, to: master, streamID: streamID)
            }
            // The oldest unacknowledged update of each task, all tasks at once: in order per
            // task, as the protocol asks, without one task waiting for another.
            while !unacknowledged.isEmpty {
                var heads: [Key: TaskStatus] = [:]
                for (key, status) in unacknowledged where heads[key] == nil { heads[key] = status }
                let accepted = await withTaskGroup(of: [UInt8]?.self) { group in
                    for (key, status) in heads {
                        var call = AgentCall(type: .update, agentID: agentID)
                        call.update = AgentCall.TaskReport(frameworkID: key.framework, status: status)
                        group.addTask {
                            (try? await self.post(call, to: master, streamID: streamID)) == .accepted ? status.uuid : nil
                        }
                    }
                    var accepted: Set<[UInt8]> = []
                    for await uuid in group { if let uuid { accepted.insert(uuid) } }
                    return accepted
                }
                unacknowledged.removeAll { $0.1.uuid.map(accepted.contains) ?? false }
                if accepted.count < heads.count { break }
            }
        }
    }

    private nonisolated func post(_ call: AgentCall, to address: MasterAddress, streamID: String) async throws
        -> HTTPResponseStatus
    {
        let request = HTTPStreamRequest(
            method: .POST, path: "/corral/v1/agent",
            headers: ["Content-Type": "application/json", "Corral-Agent-Stream-Id": streamID],
            body: try MesosJSON.encode(call))
        return try await client.execute(request, host: address.host, port: address.port).status
    }
}
