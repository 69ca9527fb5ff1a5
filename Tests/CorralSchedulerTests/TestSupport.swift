import CorralModel
import CorralScheduler
import CorralTestSupport
import Synchronization
import Testing

/// Waits until `condition` holds, polling every 10 ms, for at most `timeout`; records an
/// issue and throws when it never does. Deadlines are generous: they bound a hang, they
/// do not measure anything.
func eventually(
    _ what: String,
    timeout: Duration = .seconds(15),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        // The check after the deadline still counts (a starved test must not fail on a
        // condition that already holds).
        let last = clock.now >= deadline
        if try await condition() { return }
        if last { break }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation)
    throw DoubleError("timed out waiting for \(what)")
}

/// Starts `count` leading doubles, runs `body`, and shuts them down whether it throws or not.
func withMasters(
    _ count: Int,
    heartbeatSeconds: Double = 5,
    _ body: ([MasterDouble]) async throws -> Void
) async throws {
    // Off the cooperative pool: CPU-bound tests elsewhere in the run must not starve the
    // clients and their watchdogs.
    try await offCooperativePool {
        var doubles: [MasterDouble] = []
        do {
            for _ in 0..<count {
                doubles.append(try await MasterDouble.start(heartbeatSeconds: heartbeatSeconds))
            }
            try await body(doubles)
        } catch {
            for double in doubles { await double.shutdown() }
            throw error
        }
        for double in doubles { await double.shutdown() }
    }
}

/// A configuration with short timeouts for tests.
func testConfiguration(masters: [String], implicitAcknowledgements: Bool = true) -> SchedulerConfiguration {
    SchedulerConfiguration(
        masters: masters,
        framework: FrameworkInfo(user: "test", name: "sdk-test"),
        implicitAcknowledgements: implicitAcknowledgements,
        missedHeartbeats: 3,
        reconnectBackoff: (initial: .milliseconds(10), max: .milliseconds(100)),
        requestTimeout: .seconds(5),
        connectTimeout: .seconds(2),
        randomSeed: 42
    )
}

/// Every event a client yielded, in order.
final class EventLog: Sendable {
    private let events = Mutex<[SchedulerClient.Event]>([])

    func append(_ event: SchedulerClient.Event) { events.withLock { $0.append(event) } }

    var all: [SchedulerClient.Event] { events.withLock { $0 } }

    /// The masters of every SUBSCRIBED, in order.
    var subscribedMasters: [String] {
        all.compactMap { if case .subscribed(_, let master) = $0 { master } else { nil } }
    }

    /// The reasons of every disconnection, in order.
    var disconnections: [String] {
        all.compactMap { if case .disconnected(let reason) = $0 { reason } else { nil } }
    }

    /// Every event from the master other than SUBSCRIBED.
    var schedulerEvents: [SchedulerEvent] {
        all.compactMap { if case .event(let event) = $0 { event } else { nil } }
    }
}

/// Runs a client on `configuration` while `body` runs, records its events, then stops it
/// and waits for `run()` and the event stream to end.
func withClient(
    _ configuration: SchedulerConfiguration,
    _ body: (SchedulerClient, EventLog) async throws -> Void
) async throws {
    let client = try SchedulerClient(configuration)
    let log = EventLog()
    try await offCooperativePool { try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        group.addTask { for await event in client.events { log.append(event) } }
        do {
            try await body(client, log)
        } catch {
            await client.stop()
            throw error
        }
        await client.stop()
        try await group.waitForAll()
    } }
}
