import CorralChaos
import Testing

/// The task checkers bite: each is fed hand-made recordings, clean ones that pass and ones
/// with one planted fault that must be reported.
@Suite struct TaskChecksTests {
    private func event(_ type: String, _ time: Double, _ task: String, f: String? = nil, state: String? = nil, source: String? = nil)
        -> TaskEvent
    {
        TaskEvent(type: type, time: time, scheduler: 1, f: f, task: task, agent: "a1", state: state, source: source ?? "SOURCE_EXECUTOR")
    }

    /// Task t1 launched, ran and finished; t2 launched and was killed.
    private var clean: [TaskEvent] {
        [
            event("invoke", 0.1, "t1", f: "launch"), event("ok", 0.2, "t1", f: "launch"),
            event("status", 0.3, "t1", state: "TASK_RUNNING"), event("status", 0.5, "t1", state: "TASK_FINISHED"),
            event("invoke", 0.1, "t2", f: "launch"), event("ok", 0.2, "t2", f: "launch"),
            event("status", 0.3, "t2", state: "TASK_RUNNING"), event("invoke", 0.4, "t2", f: "kill"),
            event("status", 0.6, "t2", state: "TASK_KILLED"),
            // A reconciliation answer repeating the terminal state is not a second one.
            event("status", 0.7, "t2", state: "TASK_KILLED", source: "SOURCE_MASTER"),
        ]
    }

    private let cleanRuns = [
        TaskRun(agent: 1, framework: "f", task: "t1", runs: 1), TaskRun(agent: 2, framework: "f", task: "t2", runs: 1),
    ]

    /// The leader's final state, with the given (task, state) pairs completed.
    private func registry(_ tasks: [(String, String)]) throws -> MasterStateView {
        let listed = tasks.map { #"{"id":"\#($0.0)","framework_id":"f","slave_id":"a1","state":"\#($0.1)"}"# }.joined(separator: ",")
        let json = #"{"slaves":[],"frameworks":[{"id":"f","name":"chaos-tasks-1","connected":true,"tasks":[],"completed_tasks":[\#(listed)]}]}"#
        return try MasterStateView.decode(Array(json.utf8))
    }

    @Test func aCleanRecordingPasses() throws {
        let final = try registry([("t1", "TASK_FINISHED"), ("t2", "TASK_KILLED")])
        #expect(TaskChecks.launchedOnce(cleanRuns, events: clean).isEmpty)
        #expect(TaskChecks.oneTerminalState(clean, final: final, runs: cleanRuns).isEmpty)
    }

    @Test func aTaskThatRanTwiceIsCaught() {
        let twiceOnOne = [TaskRun(agent: 1, framework: "f", task: "t1", runs: 2), cleanRuns[1]]
        #expect(TaskChecks.launchedOnce(twiceOnOne, events: clean) == ["task t1 was launched 2 times (agent 1 2x)"])
        let onTwoAgents = cleanRuns + [TaskRun(agent: 2, framework: "f", task: "t1", runs: 1)]
        #expect(TaskChecks.launchedOnce(onTwoAgents, events: clean).count == 1)
        let unasked = cleanRuns + [TaskRun(agent: 1, framework: "f", task: "t9", runs: 1)]
        #expect(TaskChecks.launchedOnce(unasked, events: clean) == ["task t9 ran on agent 1, but no scheduler launched it"])
    }

    @Test func twoTerminalStatesAreCaught() throws {
        let final = try registry([("t1", "TASK_FINISHED"), ("t2", "TASK_KILLED")])
        let events = clean + [event("status", 0.8, "t1", state: "TASK_LOST", source: "SOURCE_MASTER")]
        #expect(TaskChecks.oneTerminalState(events, final: final, runs: cleanRuns) == [
            "task t1 ended in 2 terminal states: TASK_FINISHED then TASK_LOST"
        ])
    }

    @Test func aTaskThatNeverEndsIsCaught() throws {
        let final = try registry([("t2", "TASK_KILLED")])
        let events = clean.filter { !($0.task == "t1" && $0.state == "TASK_FINISHED") }
        #expect(TaskChecks.oneTerminalState(events, final: final, runs: cleanRuns) == [
            "task t1 never reached a terminal state as its scheduler saw it (last: TASK_RUNNING)"
        ])
    }

    @Test func aRemovedFrameworkIsCaught() throws {
        var subscribed = TaskEvent(type: "subscribed", time: 0.1, scheduler: 1)
        subscribed.framework = "f"
        let kept = try registry([("t1", "TASK_FINISHED")])
        #expect(TaskChecks.frameworksKept(clean + [subscribed], final: kept).isEmpty)
        let json = #"{"slaves":[],"frameworks":[],"completed_frameworks":[{"id":"f","name":"chaos-tasks-1","tasks":[]}]}"#
        let removed = try MasterStateView.decode(Array(json.utf8))
        #expect(TaskChecks.frameworksKept(clean + [subscribed], final: removed) == [
            "framework f (scheduler 1) was removed before the end, though its scheduler was never away for its fail-over timeout"
        ])
        let gone = try MasterStateView.decode(Array(#"{"slaves":[],"frameworks":[]}"#.utf8))
        #expect(TaskChecks.frameworksKept([subscribed], final: gone) == ["framework f (scheduler 1) is not in the leader's final state"])
    }

    @Test func theRegistryMustAgree() throws {
        let disagrees = try registry([("t1", "TASK_FAILED"), ("t2", "TASK_KILLED")])
        #expect(TaskChecks.oneTerminalState(clean, final: disagrees, runs: cleanRuns) == [
            "task t1 ended TASK_FINISHED for its scheduler, but the registry says TASK_FAILED"
        ])
        let forgot = try registry([("t2", "TASK_KILLED")])
        #expect(TaskChecks.oneTerminalState(clean, final: forgot, runs: cleanRuns) == [
            "task t1 ended TASK_FINISHED for its scheduler, but the registry does not know it"
        ])
    }

    @Test func launchesThatNeverHappenedAreNotViolations() throws {
        let final = try registry([("t1", "TASK_FINISHED"), ("t2", "TASK_KILLED")])
        // t3's ACCEPT failed and nothing was heard of it; t4's offer was stale, so the master
        // dropped it without a registry entry.
        let events = clean + [
            event("invoke", 1, "t3", f: "launch"), event("fail", 1.1, "t3", f: "launch"),
            event("status", 1.2, "t3", state: "TASK_UNKNOWN", source: "SOURCE_MASTER"),
            event("invoke", 1, "t4", f: "launch"), event("ok", 1.1, "t4", f: "launch"),
            event("status", 1.2, "t4", state: "TASK_DROPPED", source: "SOURCE_MASTER"),
        ]
        #expect(TaskChecks.oneTerminalState(events, final: final, runs: cleanRuns).isEmpty)
        // t5's ACCEPT was answered 202 by a leader deposed before it committed the launch.
        let deposed = events + [
            event("invoke", 2, "t5", f: "launch"), event("ok", 2.1, "t5", f: "launch"),
            event("status", 2.2, "t5", state: "TASK_UNKNOWN", source: "SOURCE_MASTER"),
        ]
        #expect(TaskChecks.oneTerminalState(deposed, final: final, runs: cleanRuns).isEmpty)
        // A task the master once reported running must not become unknown.
        var forgotten = deposed
        forgotten.insert(event("status", 2.15, "t5", state: "TASK_RUNNING"), at: forgotten.count - 1)
        #expect(TaskChecks.oneTerminalState(forgotten, final: final, runs: cleanRuns) == [
            "task t5 never reached a terminal state as its scheduler saw it (last: TASK_UNKNOWN)"
        ])
        // But a failed ACCEPT whose task ran after all must end like any other.
        let ran = cleanRuns + [TaskRun(agent: 1, framework: "f", task: "t3", runs: 1)]
        #expect(TaskChecks.oneTerminalState(events, final: final, runs: ran).count == 1)
    }

    private func sample(_ nanos: UInt64, master: UInt64, active: [Bool], connected: [String], usedCpus: Double = 0.5)
        -> StateSample
    {
        StateSample(
            nanos: nanos, master: master,
            agents: active.enumerated().map { index, on in
                .init(hostname: "chaos-agent-\(index + 1)", active: on, total: .init(cpus: 1, mem: 256), used: .init(cpus: usedCpus, mem: 32))
            },
            connected: connected)
    }

    @Test func overAllocationIsCaught() {
        let fine = [sample(1, master: 1, active: [true, true], connected: []), sample(2, master: 1, active: [true, true], connected: [], usedCpus: 1)]
        #expect(TaskChecks.neverOverAllocated(fine).isEmpty)
        let over = fine + [sample(3, master: 1, active: [true, true], connected: [], usedCpus: 1.1)]
        let found = TaskChecks.neverOverAllocated(over)
        #expect(found.count == 2)
        #expect(found.first?.hasPrefix("agent chaos-agent-1 had more allocated than it has") == true)
    }

    /// Leader m1 (term 2) killed at 1 s and restarted at 2 s; m2 leads term 3 from 1.3 s.
    private let killedLeader = FaultRecord(
        planned: PlannedFault(step: 0, repetition: 0, kind: .kill, target: .leader, atSeconds: 1, healAfterSeconds: 1, picks: []),
        targets: [1], leaderBefore: 1, termBefore: 2, injectedNanos: 1_000_000_000, healedNanos: 2_000_000_000, members: 3)
    private let views = [
        LeaderView(nanos: 500_000_000, master: 1, role: "leader", term: 2, leader: 1, commitIndex: 5, appliedIndex: 5),
        LeaderView(nanos: 1_300_000_000, master: 2, role: "leader", term: 3, leader: 2, commitIndex: 6, appliedIndex: 6),
    ]
    private let shape = TaskChecks.Shape(agents: ["chaos-agent-1", "chaos-agent-2"], schedulers: ["chaos-tasks-1"])

    @Test func reattachIsMeasuredFromTheNewLeaderToEveryAgentAndSchedulerBack() {
        let samples = [
            sample(900_000_000, master: 1, active: [true, true], connected: ["chaos-tasks-1"]),
            sample(1_400_000_000, master: 2, active: [true, false], connected: ["chaos-tasks-1"]),
            sample(1_500_000_000, master: 2, active: [true, true], connected: []),
            sample(1_700_000_000, master: 2, active: [true, true], connected: ["chaos-tasks-1"]),
        ]
        let found = TaskChecks.reattachments([killedLeader], views: views, samples: samples, shape: shape, endNanos: 9_000_000_000)
        #expect(found == [TaskChecks.Reattach(fault: 0, afterLeaderFault: true, nanos: 400_000_000)])
    }

    @Test func anAgentThatNeverComesBackIsNotMeasured() {
        let samples = [sample(1_500_000_000, master: 2, active: [true, false], connected: ["chaos-tasks-1"])]
        let found = TaskChecks.reattachments([killedLeader], views: views, samples: samples, shape: shape, endNanos: 9_000_000_000)
        #expect(found == [TaskChecks.Reattach(fault: 0, afterLeaderFault: true, nanos: nil)])
    }
}
