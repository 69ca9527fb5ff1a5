import CorralModel
import CorralScheduler
import CorralSecurity
import Foundation
import Logging

/// The framework behind `corral run`, on the scheduler SDK: it launches its task IDs from
/// the offers it gets (as many per offer as fit), declines the rest, and records every
/// status. Acknowledgements are the SDK's (implicit).
actor RunFramework {
    let client: SchedulerClient
    private var pending: [TaskID]
    private let makeTask: @Sendable (TaskID, AgentID) -> TaskInfo
    /// Task IDs whose ACCEPT the master committed.
    private(set) var launched: Set<TaskID> = []
    /// The latest status of each task.
    private(set) var statuses: [TaskID: TaskStatus] = [:]
    /// ACCEPTs in flight.
    private(set) var accepting = 0
    /// Calls that failed, newest last.
    private(set) var problems: [String] = []
    /// Why the masters refused the framework (401 or 403 to SUBSCRIBE); nil: not refused.
    private(set) var refusal: String?
    private(set) var offersSeen = 0

    init(
        masters: [String], tls: TLSFiles?, name: String, failoverTimeoutSeconds: Double, taskIDs: [TaskID], credentials: ClientCredentials? = nil,
        makeTask: @escaping @Sendable (TaskID, AgentID) -> TaskInfo
    ) throws {
        var info = FrameworkInfo(user: "root", name: name, failoverTimeoutSeconds: failoverTimeoutSeconds)
        info.role = "*"
        var logger = Logger(label: "corral.run")
        logger.logLevel = .error
        var configuration = SchedulerConfiguration(
            masters: masters, framework: info, implicitAcknowledgements: true,
            reconnectBackoff: (initial: .milliseconds(100), max: .seconds(1)), requestTimeout: .seconds(10))
        configuration.tls = tls
        configuration.credentials = credentials
        client = try SchedulerClient(configuration, logger: logger)
        pending = taskIDs
        self.makeTask = makeTask
    }

    /// Whether every task was launched (committed by the master).
    var allLaunched: Bool { pending.isEmpty && accepting == 0 }

    /// Runs the client and handles its events until cancelled or stopped.
    func run() async {
        await client.run { await self.handle($0) }
    }

    /// Tears the framework down (the master kills what still runs) or, with `teardown`
    /// false, only disconnects: the master keeps the tasks for the failover timeout.
    ///
    /// A teardown that fails for want of a leader or a connection (a fail-over, a master too
    /// busy to answer) is tried again for a few seconds; one that still fails is reported,
    /// since the tasks then run on until the failover timeout.
    func stop(teardown: Bool) async {
        if teardown {
            var failure: SchedulerError?
            var maybeDone = false
            for attempt in 0..<5 {
                do {
                    try await client.teardown()
                    failure = nil
                    break
                } catch let error as SchedulerError {
                    failure = error
                    if error.code == .outcomeUnknown { maybeDone = true }
                    // The master answered: trying again cannot change that.
                    if error.code == .rejected || error.code == .stopped { break }
                } catch {
                    failure = SchedulerError(.connectionFailed, "\(error)")
                }
                if attempt < 4 { try? await Task.sleep(for: .seconds(1)) }
            }
            if let failure, !(maybeDone && failure.code == .rejected) {
                FileHandle.standardError.write(Data(
                    ("corral run: could not tear the framework down (\(failure)); its tasks run until the master's "
                        + "failover timeout unless stopped with `corral stop TASK`\n").utf8))
            }
        }
        await client.stop()
    }

    private func handle(_ event: SchedulerClient.Event) async {
        if case .refused(let reason) = event { refusal = reason }
        guard case .event(let event) = event else { return }
        if let status = event.update?.status { statuses[status.taskID] = status }
        for offer in event.offers?.offers ?? [] { await use(offer) }
    }

    private func use(_ offer: Offer) async {
        offersSeen += 1
        let offered = Resources(offer.resources)
        let sample = Resources(makeTask(TaskID("sample"), offer.agentID).resources)
        let fitting = min(
            Int(((offered.cpus ?? 0) + 1e-9) / max(sample.cpus ?? 0.1, 1e-3)),
            Int(((offered.memMegabytes ?? 0) + 1e-9) / max(sample.memMegabytes ?? 16, 1)))
        // A task with host ports takes them from the offer: one per offer, where they are offered.
        let wantedPorts = sample.ports ?? Ranges()
        let portsFit = wantedPorts.isEmpty || (offered.ports.map { $0.contains(wantedPorts) } ?? false)
        let count = min(portsFit ? (wantedPorts.isEmpty ? fitting : min(fitting, 1)) : 0, pending.count)
        guard count > 0 else {
            // Nothing to launch here: a long refusal once all are launched, a short one while waiting.
            let refuse = pending.isEmpty ? 3600.0 : 1.0
            try? await client.decline([offer.id], filters: Filters(refuseSeconds: refuse))
            return
        }
        let ids = Array(pending.prefix(count))
        pending.removeFirst(count)
        accepting += 1
        defer { accepting -= 1 }
        do {
            try await client.launch(offer, tasks: ids.map { makeTask($0, offer.agentID) }, filters: Filters(refuseSeconds: 1))
            launched.formUnion(ids)
            if pending.isEmpty { try? await client.suppress() }
        } catch {
            // Not launched (or its outcome is unknown): tried again from a later offer; the
            // master refuses an ID it did launch, and that task's own updates still arrive.
            problems.append("launching \(ids.map(\.value).joined(separator: ", ")): \(error)")
            pending.insert(contentsOf: ids, at: 0)
        }
    }
}
