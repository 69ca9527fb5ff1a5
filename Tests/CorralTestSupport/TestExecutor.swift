import Foundation

/// Runs test tasks on threads of their own instead of Swift's cooperative pool.
///
/// The cooperative pool has one thread per core (two here), and the suite's synchronous
/// tests (simulation seeds, real processes waited on) hold those threads for seconds at a
/// time. Tests that drive actors against real masters (agent doubles, scheduler clients)
/// run under this executor's preference, so their heartbeats and timeouts do not wait for
/// another test to give a thread back; so do the long synchronous suites, so that they do
/// not hold the cooperative pool. Default actors follow a task's executor preference.
///
/// The pool is elastic: a job that finds every thread busy (blocked in a harness call, say)
/// starts another, up to `maximumThreads`, so that a blocked test never waits for a thread
/// held by another blocked test; threads beyond `baseThreads` end after idling a while.
public final class TestExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs`, `threads` and `idle` are only touched under `condition`'s lock.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var threads = 0
    private var idle = 0
    private var started = 0
    private var peak = 0
    /// The pool's threads, for `ownsCurrentThread`.
    private var members: Set<pthread_t> = []
    let baseThreads: Int
    let maximumThreads: Int

    /// Eight threads kept, up to 128 while tests block in harness calls.
    public static let shared = TestExecutor(threads: 8, maximumThreads: 128)

    public init(threads: Int, maximumThreads: Int? = nil) {
        baseThreads = threads
        self.maximumThreads = max(threads, maximumThreads ?? threads)
        condition.lock()
        for _ in 0..<threads { startThread() }
        condition.unlock()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        if idle < jobs.count, threads < maximumThreads { startThread() } else { condition.signal() }
        condition.unlock()
    }

    /// Whether the calling thread is one of this pool's (for tests).
    public var ownsCurrentThread: Bool {
        condition.lock()
        defer { condition.unlock() }
        return members.contains(pthread_self())
    }

    /// How many threads the pool has now (for tests).
    public var threadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads
    }

    /// The most threads the pool has had at once (for tests: threads beyond the base end
    /// after idling, so `threadCount` may be back down by the time a test looks).
    public var peakThreadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return peak
    }

    /// Called with the lock held.
    private func startThread() {
        threads += 1
        peak = max(peak, threads)
        started += 1
        let thread = Thread { [unowned self] in self.work() }
        thread.name = "corral-test-\(started)"
        thread.start()
    }

    private func work() {
        let executor = asUnownedTaskExecutor()
        condition.lock()
        members.insert(pthread_self())
        while true {
            while jobs.isEmpty {
                idle += 1
                let signalled = condition.wait(until: Date(timeIntervalSinceNow: 5))
                idle -= 1
                if !signalled, jobs.isEmpty, threads > baseThreads {
                    threads -= 1
                    members.remove(pthread_self())
                    condition.unlock()
                    return
                }
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: executor)
            condition.lock()
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

/// `eventually` for synchronous callers (harnesses that block their thread): polls every
/// `every` until `condition` holds, checking once more after the deadline.
public func eventuallyBlocking(
    _ what: String, seconds: Double, every: Duration = .milliseconds(20), _ condition: () throws -> Bool
) throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while true {
        let last = ContinuousClock.now >= deadline
        if try condition() { return }
        if last { throw TimedOut(what: what, seconds: seconds) }
        Thread.sleep(forTimeInterval: Double(every.components.attoseconds) / 1e18 + Double(every.components.seconds))
    }
}

/// `eventually` gave up.
public struct TimedOut: Error, CustomStringConvertible {
    public var what: String
    public var seconds: Double
    public var description: String { "timed out after \(seconds) s waiting for \(what)" }
}
