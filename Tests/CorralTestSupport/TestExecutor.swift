import Foundation

/// Runs test tasks on dispatch threads of their own instead of Swift's cooperative pool.
///
/// The cooperative pool has one thread per core (two here), and the suite's synchronous
/// tests (simulation seeds, real processes waited on) hold those threads for seconds at a
/// time. Tests that drive actors against real masters (agent doubles, scheduler clients)
/// run under this executor's preference, so their heartbeats and timeouts do not wait for
/// another test to give a thread back. Default actors follow a task's executor preference.
public final class TestExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` is only touched under `condition`'s lock.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    /// Eight threads: enough that tests blocking a few of them in a harness call still leave
    /// some for the actors they drive.
    public static let shared = TestExecutor(threads: 8)

    public init(threads: Int) {
        for index in 0..<threads {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "corral-test-\(index)"
            thread.start()
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func work() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: executor)
        }
    }
}

/// Runs `body` (and the tasks it starts) on `TestExecutor.shared`.
public func offCooperativePool<T: Sendable>(
    isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T
) async throws -> T {
    try await withTaskExecutorPreference(TestExecutor.shared, isolation: isolation) { try await body() }
}

/// Polls an async condition until it holds or the deadline passes.
public func eventually(_ what: String, seconds: Double, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while true {
        // The check after the deadline still counts: a test starved of threads for longer
        // than `seconds` must not fail on a condition that already holds.
        let last = ContinuousClock.now >= deadline
        if try await condition() { return }
        if last { throw TimedOut(what: what, seconds: seconds) }
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// `eventually` gave up.
public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var seconds: Double
    public var description: String { "timed out after \(seconds) s waiting for \(what)" }
}
