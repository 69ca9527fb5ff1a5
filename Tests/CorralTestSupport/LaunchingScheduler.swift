import CorralModel
import CorralScheduler
import Foundation

/// A small framework built on the real SDK for the tests: it launches a fixed list of task
/// IDs from the offers it gets, one launch per task ID, and after a re-subscription asks
/// the master (RECONCILE) about launches whose ACCEPT did not come back, relaunching only
/// those the master does not know. Everything it sees is recorded.
public actor LaunchingScheduler {
    public let client: SchedulerClient
    private var toLaunch: [TaskID]
    private var uncertain: Set<TaskID> = []
    public private(set) var states: [TaskID: TaskState] = [:]
    /// Every status seen per task, in order (reconciliation answers left out).
    public private(set) var statuses: [TaskID: [TaskStatus]] = [:]
    public private(set) var frameworkIDs: [FrameworkID] = []
    public private(set) var masters: [String] = []
    public private(set) var offersSeen = 0
    /// The resources of every offer seen, in order.
    public private(set) var offeredResources: [Resources] = []
    /// The hostname of every offer seen, in order.
    public private(set) var offeredHostnames: [String] = []
    public private(set) var refused: [TaskStatus] = []
    /// The inverse offers it was sent.
    public private(set) var inverseOffers: [InverseOffer] = []
    /// FAILURE events (an agent or an executor was lost), in order.
    public private(set) var failures: [SchedulerEvent.Failure] = []
    /// What each task runs, and with what.
    private let makeTask: @Sendable (TaskID, AgentID) -> TaskInfo
    /// What happened, in order, for a failure message.
    private var history: [String] = []
    private let perOffer: Int
    /// How long a declined agent stays filtered for this framework.
    private let declineRefuseSeconds: Double
    /// How many task IDs may be launched so far; the test raises it.
    private var budget: Int
    private var launchedCount = 0
    /// When set, each batch is launched as one task group (LAUNCH_GROUP) under this executor.
    private let groupExecutor: ExecutorInfo?

    /// The default task: `true`, with 0.1 cpus and 16 MB.
    public static let trueTask: @Sendable (TaskID, AgentID) -> TaskInfo = { id, agent in
        TaskInfo(name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", 16)], command: CommandInfo(value: "true"))
    }

    public init(
        masters: [String], taskCount: Int, perOffer: Int = 3, failoverTimeoutSeconds: Double = 60, partitionAware: Bool = false,
        groupExecutor: ExecutorInfo? = nil, role: String = "*", declineRefuseSeconds: Double = 0.2,
        offerConstraints: OfferConstraints? = nil, capabilities: [FrameworkInfo.Capability] = [],
        makeTask: @escaping @Sendable (TaskID, AgentID) -> TaskInfo = LaunchingScheduler.trueTask
    ) throws {
        self.makeTask = makeTask
        self.groupExecutor = groupExecutor
        var info = FrameworkInfo(user: "root", name: "sdk-test", failoverTimeoutSeconds: failoverTimeoutSeconds)
        info.role = role
        if partitionAware { info.capabilities.append(FrameworkInfo.Capability(.partitionAware)) }
        info.capabilities += capabilities
        var configuration = SchedulerConfiguration(
            masters: masters, framework: info, implicitAcknowledgements: true,
            reconnectBackoff: (initial: .milliseconds(100), max: .seconds(1)), requestTimeout: .seconds(5))
        configuration.offerConstraints = offerConstraints
        client = try SchedulerClient(configuration)
        toLaunch = (0..<taskCount).map { TaskID("task-\($0)") }
        self.perOffer = perOffer
        self.declineRefuseSeconds = declineRefuseSeconds
        budget = taskCount
    }

    public var finished: Int { states.values.filter { $0 == .finished }.count }

    /// What it knows, for a failure message.
    public var summary: String {
        let byState = Dictionary(grouping: states, by: { $0.value.rawValue }).mapValues(\.count)
        return "states \(byState), to launch \(toLaunch.map(\.value)), uncertain \(uncertain.map(\.value)), "
            + "launched \(launchedCount) of budget \(budget), offers seen \(offersSeen), subscriptions \(frameworkIDs.count) via \(masters), "
            + "refused \(refused.map { "\($0.taskID): \($0.state.rawValue) \($0.reason?.rawValue ?? "") \($0.message ?? "")" }), "
            + "history \(history.suffix(60))"
    }

    /// Answers every inverse offer it was sent (maintenance), refusing more for `refuseSeconds`.
    public func answerInverseOffers(accept: Bool, refuseSeconds: Double = 60) async throws {
        try await client.answerInverseOffers(inverseOffers.map(\.id), accept: accept, filters: Filters(refuseSeconds: refuseSeconds))
    }

    /// Launches at most `count` task IDs in all until raised again.
    public func allowLaunches(upTo count: Int) { budget = count }

    /// Tasks in a terminal state.
    public var ended: Int { states.values.filter(\.isTerminal).count }

    /// Runs the client and handles its events until cancelled.
    public func run() async {
        await client.run { await self.handle($0) }
    }

    private func handle(_ event: SchedulerClient.Event) async {
        switch event {
        case .subscribed(let subscribed, let master):
            history.append("subscribed at \(master); reconciling \(uncertain.map(\.value))")
            frameworkIDs.append(subscribed.frameworkID)
            masters.append(master)
            if !uncertain.isEmpty {
                try? await client.reconcile(uncertain.map { ($0, nil) })
            }
        case .event(let event):
            if let offers = event.offers?.offers {
                for offer in offers { await use(offer) }
            }
            if let status = event.update?.status { record(status) }
            if let inverse = event.inverseOffers?.inverseOffers { inverseOffers += inverse }
            if let failure = event.failure { failures.append(failure) }
        case .disconnected:
            break
        case .refused(let reason):
            history.append("refused: \(reason)")
        }
    }

    private func use(_ offer: Offer) async {
        offersSeen += 1
        offeredResources.append(Resources(offer.resources))
        offeredHostnames.append(offer.hostname)
        // Offers can be small (resources freed while a bigger offer is out): launch what fits.
        let offered = Resources(offer.resources)
        let sample = Resources(makeTask(TaskID("sample"), offer.agentID).resources)
        let fitting = min(
            Int(((offered.cpus ?? 0) + 1e-9) / max(sample.cpus ?? 0.1, 1e-3)),
            Int(((offered.memMegabytes ?? 0) + 1e-9) / max(sample.memMegabytes ?? 16, 1)))
        let batch = Array(toLaunch.prefix(min(perOffer, fitting, max(0, budget - launchedCount))))
        guard !batch.isEmpty else {
            try? await client.decline([offer.id], filters: Filters(refuseSeconds: declineRefuseSeconds))
            return
        }
        toLaunch.removeFirst(batch.count)
        launchedCount += batch.count
        let tasks = batch.map { makeTask($0, offer.agentID) }
        history.append("launch \(batch.map(\.value)) on \(offer.id)")
        do {
            if let groupExecutor {
                try await client.accept(
                    [offer.id], operations: [.launchGroup(executor: groupExecutor, tasks: tasks)], filters: Filters(refuseSeconds: 0))
            } else {
                try await client.launch(offer, tasks: tasks, filters: Filters(refuseSeconds: 0))
            }
        } catch {
            history.append("launch failed: \(error)")
            // The master may or may not have committed it: ask after re-subscribing.
            uncertain.formUnion(batch)
        }
    }

    /// A launch the master refused: TASK_ERROR, or TASK_DROPPED (TASK_LOST for a framework
    /// that is not PARTITION_AWARE) for an agent or a commit that were not good. (Offers that
    /// were not good are not a refusal: the task is launched again.)
    static func isRefusal(_ status: TaskStatus) -> Bool {
        let dropReasons: Set<TaskStatus.Reason> = [.agentUnknown, .masterDisconnected]
        return status.state == .error || status.state == .dropped
            || (status.state == .lost && status.source == .master && dropReasons.contains(status.reason ?? .reconciliation))
    }

    private func record(_ status: TaskStatus) {
        let id = status.taskID
        if status.reason == .reconciliation || status.reason == .invalidOffers || Self.isRefusal(status) {
            history.append("\(id): \(status.state.rawValue) \(status.reason?.rawValue ?? "")")
        }
        if status.reason == .invalidOffers && status.source == .master && (status.state == .dropped || status.state == .lost) {
            // An offer of a deposed leader used after the election: never launched, so launch
            // it again from a fresh offer, as a Mesos scheduler does.
            uncertain.remove(id)
            toLaunch.append(id)
            launchedCount -= 1
            return
        }
        if status.reason == .reconciliation {
            uncertain.remove(id)
            if status.state == .unknown {
                toLaunch.append(id)
                launchedCount -= 1
                return
            }
        }
        if Self.isRefusal(status) { refused.append(status) }
        statuses[id, default: []].append(status)
        uncertain.remove(id)
        states[id] = status.state
    }
}
