import Synchronization

/// One line of `tasks.jsonl`: what a scheduler of the task workload did or saw.
///
/// - `invoke` / `ok` / `fail` with `f` = `launch` or `kill`: a call sent and how it ended
///   (`fail` carries the error; the master may still have acted on it);
/// - `status`: an update received (`state`, `source`, `reason`, `message`, `acknowledged`: it carried a
///   UUID and was acknowledged);
/// - `reconcile`: an explicit reconciliation of `count` tasks;
/// - `subscribed` (`master`, `framework`) and `disconnected` (`error`): the event stream;
/// - `fault` / `heal`: the harness dropped the scheduler's client / started a new one.
public struct TaskEvent: Sendable, Hashable, Codable {
    public var type: String
    /// Seconds on the run's clock.
    public var time: Double
    /// The scheduler, from 1.
    public var scheduler: Int
    public var f: String?
    public var task: String?
    public var agent: String?
    public var state: String?
    public var source: String?
    public var reason: String?
    /// A status update's message.
    public var message: String?
    public var acknowledged: Bool?
    public var master: String?
    public var framework: String?
    public var count: Int?
    public var error: String?

    public init(
        type: String, time: Double, scheduler: Int, f: String? = nil, task: String? = nil, agent: String? = nil, state: String? = nil,
        source: String? = nil, reason: String? = nil, message: String? = nil, acknowledged: Bool? = nil, master: String? = nil, framework: String? = nil,
        count: Int? = nil, error: String? = nil
    ) {
        self.type = type
        self.time = time
        self.scheduler = scheduler
        self.f = f
        self.task = task
        self.agent = agent
        self.state = state
        self.source = source
        self.reason = reason
        self.message = message
        self.acknowledged = acknowledged
        self.master = master
        self.framework = framework
        self.count = count
        self.error = error
    }
}

/// Collects task events from every scheduler, stamped on the run's clock.
public final class TaskEventLog: Sendable {
    private let events = Mutex<[TaskEvent]>([])
    let clock: @Sendable () -> UInt64

    public init(clock: @escaping @Sendable () -> UInt64) { self.clock = clock }

    /// Stamps `event` with the time now and keeps it.
    public func record(_ event: TaskEvent) {
        var stamped = event
        stamped.time = Double(clock()) / 1e9
        events.withLock { $0.append(stamped) }
    }

    /// Every event so far, in the order they were recorded.
    public var all: [TaskEvent] { events.withLock { $0 } }
}
