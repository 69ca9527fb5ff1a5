import Testing

/// Runs every test of a suite (or one test) on `TestExecutor.shared` instead of Swift's
/// cooperative pool, as `offCooperativePool { … }` does for one body.
///
/// For suites that start real masters and agents and poll them against deadlines: the
/// pool's two threads can be held for many seconds by synchronous tests running beside
/// them, and a poll that cannot run looks like a master that does not answer.
///
/// Child tasks (task groups, `async let`) inherit the preference; an unstructured `Task {}`
/// does not, and would run on the starved pool: start one with
/// `Task(executorPreference: TestExecutor.shared) { … }`.
public struct OffCooperativePoolTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Suites get a scope too; only test cases need one.
        guard testCase != nil else { return try await function() }
        try await withTaskExecutorPreference(TestExecutor.shared) { try await function() }
    }
}

extension Trait where Self == OffCooperativePoolTrait {
    /// Runs the tests on `TestExecutor.shared`; see `OffCooperativePoolTrait`.
    public static var offCooperativePool: Self { OffCooperativePoolTrait() }
}
