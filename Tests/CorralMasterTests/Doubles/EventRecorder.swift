import CorralModel
import CorralScheduler

/// Runs a real SDK client and keeps everything it yields, for tests to wait on.
actor EventRecorder {
    let client: SchedulerClient
    private(set) var subscriptions: [(FrameworkID, String)] = []
    private(set) var updates: [TaskStatus] = []
    private(set) var offers: [Offer] = []
    private(set) var errors: [String] = []
    private(set) var lostAgents: [AgentID] = []
    /// FAILURE events about an executor: its ID and exit status.
    private(set) var lostExecutors: [(ExecutorID, Int32?)] = []
    private(set) var messages: [[UInt8]] = []
    /// UPDATE_OPERATION_STATUS events.
    private(set) var operationUpdates: [OperationStatus] = []

    init(_ client: SchedulerClient) { self.client = client }

    func run() async {
        await client.run { await self.record($0) }
    }

    private func record(_ event: SchedulerClient.Event) {
        switch event {
        case .subscribed(let subscribed, let master):
            subscriptions.append((subscribed.frameworkID, master))
            offers = []  // offers from an earlier subscription are stale
        case .event(let event):
            if let made = event.offers?.offers { offers += made }
            if let rescinded = event.rescind?.offerID { offers.removeAll { $0.id == rescinded } }
            if let status = event.update?.status { updates.append(status) }
            if let error = event.error?.message { errors.append(error) }
            if event.type == .failure, let failure = event.failure {
                if let executor = failure.executorID {
                    lostExecutors.append((executor, failure.status))
                } else if let agent = failure.agentID {
                    lostAgents.append(agent)
                }
            }
            if let status = event.updateOperationStatus?.status { operationUpdates.append(status) }
            if event.type == .message, let data = event.message?.data { messages.append(data) }
        case .disconnected, .refused:
            offers = []
        }
    }

    /// Takes the first outstanding offer, if any.
    func takeOffer() -> Offer? {
        offers.isEmpty ? nil : offers.removeFirst()
    }

    func states(of task: TaskID) -> [TaskState] {
        updates.filter { $0.taskID == task }.map(\.state)
    }
}
