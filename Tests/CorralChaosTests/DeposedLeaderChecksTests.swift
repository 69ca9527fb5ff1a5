import CorralChaos
import Testing

/// The checks that a deposed leader's launches never ran and that no task was killed unasked.
@Suite struct DeposedLeaderChecksTests {
    static func final(_ tasks: [String]) throws -> MasterStateView {
        let listed = tasks.map { #"{"id":"\#($0)","framework_id":"f","slave_id":"a1","state":"TASK_FINISHED"}"# }.joined(separator: ",")
        let json = #"{"slaves":[],"frameworks":[{"id":"f","name":"n","tasks":[],"completed_tasks":[\#(listed)]}]}"#
        return try MasterStateView.decode(Array(json.utf8))
    }

    @Test func aTaskThatRanUnknownToTheRegistryIsCaught() throws {
        let runs = [
            TaskRun(agent: 1, framework: "f", task: "t1", runs: 1), TaskRun(agent: 2, framework: "f", task: "t2", runs: 1),
            TaskRun(agent: 1, framework: "f", task: "t3", runs: 0),
        ]
        #expect(TaskChecks.launchesCommitted(runs, final: try Self.final(["t1", "t2"])).isEmpty)
        #expect(TaskChecks.launchesCommitted(runs, final: try Self.final(["t1"])) == [
            "task t2 ran on agent 2, but no commit launched it: the registry does not know it"
        ])
        #expect(TaskChecks.launchesCommitted(runs, final: nil).isEmpty, "no final state is another check's violation")
    }

    @Test func aKillNobodyAskedForIsCaught() {
        let asked = [
            TaskEvent(type: "invoke", time: 1, scheduler: 1, f: "kill", task: "t1"),
            TaskEvent(type: "status", time: 2, scheduler: 1, task: "t1", state: "TASK_KILLED"),
        ]
        #expect(TaskChecks.killsRequested(asked).isEmpty)
        let early = [
            TaskEvent(type: "status", time: 0.5, scheduler: 1, task: "t1", state: "TASK_KILLED"),
            TaskEvent(type: "invoke", time: 1, scheduler: 1, f: "kill", task: "t1"),
        ]
        #expect(TaskChecks.killsRequested(early) == ["task t1 was killed (scheduler 1 saw TASK_KILLED), but its scheduler never asked"])
        let otherScheduler = [asked[0], TaskEvent(type: "status", time: 2, scheduler: 2, task: "t1", state: "TASK_KILLED")]
        #expect(TaskChecks.killsRequested(otherScheduler).count == 1)
    }
}
