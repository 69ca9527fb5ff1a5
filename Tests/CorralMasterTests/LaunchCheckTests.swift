@testable import CorralMaster
import CorralModel
import Testing

/// ACCEPT's checks of a LAUNCH or LAUNCH_GROUP against the offers and the registry, as pure
/// decisions (the end-to-end cases run in `AcceptValidationTests`).
@Suite("LeaderStateMachine launch checks")
struct LaunchCheckTests {
    let framework = FrameworkID("f1")
    let agent = AgentID("a1")
    /// Agent a1 (4 cpus, 1024 mem) with task "running" of f1 on custom executor "e1".
    let registry: Registry
    let runningExecutor: ExecutorInfo

    init() {
        var driver = RegistryDriver.standard()
        var executor = Fixture.executorInfo("e1")
        executor.type = .custom
        executor.command = .shell("./executor")
        runningExecutor = executor
        var task = Fixture.taskInfo("running", cpus: 0.5)
        task.executor = executor
        driver.accept(Fixture.launch("f1", [task]))
        registry = driver.registry
    }

    func task(_ id: String, cpus: Double = 1, on agent: String = "a1") -> TaskInfo {
        var task = Fixture.taskInfo(id, on: agent, cpus: cpus, mem: 64)
        task.command = .shell("true")
        return task
    }

    func budget(cpus: Double, mem: Double = 1024) -> Resources {
        Resources([.scalar("cpus", Scalar(cpus)), .scalar("mem", Scalar(mem))]).unallocated
    }

    func book() -> AcceptBook { AcceptBook(inUse: Set(registry.tasks(of: framework).map(\.key.taskID))) }

    func check(_ tasks: [TaskInfo], group: ExecutorInfo? = nil, budget: Resources, book: AcceptBook? = nil)
        -> LaunchCheck
    {
        LeaderStateMachine.checkLaunch(
            tasks,
            group: group,
            framework: framework,
            agent: agent,
            book: book ?? self.book(),
            budget: budget,
            registry: registry
        )
    }

    func reasons(_ check: LaunchCheck) -> [String: String] {
        Dictionary(uniqueKeysWithValues: check.failures.map { ($0.task.taskID.value, $0.why) })
    }

    @Test func eachTaskOfALaunchStandsAloneAndTakesItsShare() {
        let checked = check(
            [task("a", cpus: 1), task("b", cpus: 2), task("c", cpus: 1.5)],
            budget: budget(cpus: 3.5)
        )
        #expect(checked.passed.map(\.taskID.value) == ["a", "b"])
        #expect(reasons(checked)["c"]?.contains("more than the offers have left") == true)
        #expect(checked.budget == budget(cpus: 0.5, mem: 1024 - 128))
        #expect(
            checked.book.inUse.isSuperset(of: [TaskID("a"), TaskID("b")])
                && !checked.book.inUse.contains(TaskID("c"))
        )
    }

    @Test func badTasksAreRefusedWithWhatIsWrong() {
        var both = task("both")
        both.executor = runningExecutor
        var neither = task("neither")
        neither.command = nil
        var empty = task("empty")
        empty.resources = []
        var negative = task("negative")
        negative.resources = [.scalar("cpus", -1)]
        let checked = check(
            [
                task("running"), task("elsewhere", on: "a2"), both, neither, empty, negative, task("a/b"),
                task("dup"), task("dup"),
            ],
            budget: budget(cpus: 4)
        )
        let why = reasons(checked)
        #expect(why["running"]?.contains("already in use") == true, "a task of the registry")
        #expect(why["elsewhere"]?.contains("names agent a2") == true)
        #expect(why["both"]?.contains("exactly one of command and executor") == true)
        #expect(why["neither"]?.contains("exactly one of command and executor") == true)
        #expect(why["empty"]?.contains("uses no resources") == true)
        #expect(why["negative"]?.contains("negative amount of cpus") == true)
        #expect(why["a/b"]?.contains("is not valid") == true)
        #expect(
            checked.passed.map(\.taskID.value) == ["dup"],
            "the second dup is already in use by the first"
        )
    }

    @Test func anExecutorAlreadyOnTheAgentIsNotPaidAgainAndMustMatch() {
        var same = Fixture.taskInfo("same", cpus: 1, mem: 64)
        same.executor = runningExecutor
        let reused = check([same], budget: budget(cpus: 1, mem: 64))
        #expect(reused.passed.count == 1, "the running executor costs nothing more: \(reasons(reused))")
        var changed = runningExecutor
        changed.command = .shell("./other")
        var different = Fixture.taskInfo("different", cpus: 1, mem: 64)
        different.executor = changed
        #expect(
            reasons(check([different], budget: budget(cpus: 4)))["different"]?.contains(
                "differs from the executor"
            ) == true
        )
        var fresh = runningExecutor
        fresh.executorID = ExecutorID("e2")
        var new = Fixture.taskInfo("new", cpus: 1, mem: 64)
        new.executor = fresh
        #expect(
            check([new], budget: budget(cpus: 1, mem: 64)).passed.isEmpty,
            "a new executor's 0.5 cpus do not fit"
        )
        #expect(check([new], budget: budget(cpus: 1.5, mem: 96)).passed.count == 1)
    }

    @Test func aTaskGroupLaunchesWholeWithItsExecutorPaidOnce() {
        let group = ExecutorInfo(
            executorID: ExecutorID("g"),
            type: .default,
            resources: [.scalar("cpus", 0.5), .scalar("mem", 32)]
        )
        func member(_ id: String, cpus: Double) -> TaskInfo {
            var task = Fixture.taskInfo(id, cpus: cpus, mem: 64)
            task.command = nil
            return task
        }
        let fits = check(
            [member("m1", cpus: 1), member("m2", cpus: 1)],
            group: group,
            budget: budget(cpus: 2.5, mem: 160)
        )
        #expect(fits.passed.count == 2 && fits.failures.isEmpty)
        #expect(fits.budget == budget(cpus: 0, mem: 0))
        #expect(fits.book.started[ExecutorID("g")] != nil)
        let short = check(
            [member("m1", cpus: 1), member("m2", cpus: 1)],
            group: group,
            budget: budget(cpus: 2.4, mem: 160)
        )
        #expect(
            short.passed.isEmpty && short.failures.count == 2,
            "one executor too many for the offers fails the group"
        )
        #expect(
            short.book.started.isEmpty && !short.book.inUse.contains(TaskID("m1")),
            "a failed group takes nothing"
        )
        let oneBad = check(
            [member("m1", cpus: 1), member("running", cpus: 1)],
            group: group,
            budget: budget(cpus: 4)
        )
        #expect(oneBad.passed.isEmpty && oneBad.failures.count == 2)
        #expect(oneBad.failures.allSatisfy { $0.why.contains("already in use") })
        var commanded = group
        commanded.command = .shell("x")
        let badExecutor = check([member("m1", cpus: 1)], group: commanded, budget: budget(cpus: 4))
        #expect(badExecutor.failures.first?.why.contains("must not be set for 'DEFAULT' executor") == true)
    }
}
