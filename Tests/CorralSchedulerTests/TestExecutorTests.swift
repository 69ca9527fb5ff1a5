import CorralTestSupport
import Foundation
import Testing

/// The executor the real-process suites run on must not let a blocked test hold up others.
@Suite struct TestExecutorTests {
    @Test(.timeLimit(.minutes(1))) func aJobBlockedOnItsThreadDoesNotHoldUpTheNext() async throws {
        let executor = TestExecutor(threads: 1, maximumThreads: 4)
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        // Holds the executor's only thread until the second task has run.
        let blocked = Task(executorPreference: executor) {
            _ = started.signal()
            release.wait()
        }
        started.wait()
        let second = Task(executorPreference: executor) { _ = release.signal() }
        await second.value
        await blocked.value
        #expect(executor.threadCount >= 2)
    }
}
