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
        // The extra thread may have idled out since (a busy machine can take 5 s to resume
        // this test): what counts is that the pool grew.
        #expect(executor.peakThreadCount >= 2)
    }

    /// Child tasks run on the preferred executor, and so does a task given it explicitly (an
    /// unstructured `Task {}` does not in Swift 6.3, which is why the real-process tests give
    /// their background tasks `executorPreference: TestExecutor.shared`).
    @Test func childTasksFollowThePreferenceAndExplicitTasksRunThere() async throws {
        let executor = TestExecutor(threads: 1, maximumThreads: 2)
        @Sendable func onExecutor() -> Bool { executor.ownsCurrentThread }
        let (child, explicit) = await withTaskExecutorPreference(executor) {
            async let child = onExecutor()
            let explicit = await Task(executorPreference: executor) { onExecutor() }.value
            return (await child, explicit)
        }
        #expect(child)
        #expect(explicit)
    }
}
