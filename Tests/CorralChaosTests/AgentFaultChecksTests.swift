import CorralChaos
import Testing

/// The agent fault checkers bite: clean recordings pass, each planted fault is reported.
@Suite struct AgentFaultChecksTests {
    private func status(_ time: Double, _ task: String, _ state: String, message: String? = "Command terminated by signal SIGKILL (9)", reason: String? = nil)
        -> TaskEvent
    {
        TaskEvent(type: "status", time: time, scheduler: 1, task: task, agent: "A2", state: state, reason: reason, message: message)
    }

    private func launch(_ time: Double, _ task: String) -> TaskEvent {
        TaskEvent(type: "invoke", time: time, scheduler: 1, f: "launch", task: task, agent: "A2")
    }

    private let killed = [KilledInit(agent: 2, task: "t1", pid: 99, nanos: 2_000_000_000)]

    @Test func aKilledInitEndsFailedOrKilledWithAMessage() {
        #expect(TaskChecks.killedInitsEnded(killed, events: [status(2.1, "t1", "TASK_FAILED")]).isEmpty)
        #expect(TaskChecks.killedInitsEnded(killed, events: [status(2.1, "t1", "TASK_KILLED")]).isEmpty)
        #expect(
            TaskChecks.killedInitsEnded(killed, events: [status(2.1, "t1", "TASK_FINISHED")]) == [
                "task t1: its init (pid 99) was SIGKILLed at 2.000 s on agent 2, but it ended TASK_FINISHED"
            ])
        #expect(TaskChecks.killedInitsEnded(killed, events: [status(2.1, "t1", "TASK_FAILED", message: nil)]).count == 1)
        // No terminal state at all is the general checker's finding, not reported twice.
        #expect(TaskChecks.killedInitsEnded(killed, events: [status(1.0, "t1", "TASK_RUNNING")]).isEmpty)
    }

    private func isolation(from: Double, to: Double) -> FaultRecord {
        let planned = PlannedFault(step: 0, repetition: 0, kind: .isolate, target: .agent, atSeconds: from, healAfterSeconds: to - from, picks: [2])
        return FaultRecord(
            planned: planned, targets: [42], leaderBefore: 1, termBefore: 1, injectedNanos: UInt64(from * 1e9), healedNanos: UInt64(to * 1e9),
            members: 3)
    }

    private let scheduling = MasterScheduling(agentHeartbeatSeconds: 1, agentTimeoutSeconds: 6)

    @Test func aShortPartitionThatLosesATaskIsCaught() {
        let events = [launch(1, "t1"), status(5, "t1", "TASK_LOST", message: "the agent is unreachable")]
        let short = TaskChecks.shortPartitionsLoseNothing([isolation(from: 4, to: 6)], scheduling: scheduling, events: events, agentIDs: [2: "A2"])
        #expect(short.count == 1 && short[0].hasPrefix("task t1 became TASK_LOST at 5.000 s, though agent 2 was cut off for only 2.0 s"))
        // The same loss after a partition longer than the timeout is what the masters must do.
        #expect(TaskChecks.shortPartitionsLoseNothing([isolation(from: 4, to: 14)], scheduling: scheduling, events: events, agentIDs: [2: "A2"]).isEmpty)
        // A loss long after the short partition healed is not its doing.
        let later = [launch(1, "t1"), status(20, "t1", "TASK_LOST")]
        #expect(TaskChecks.shortPartitionsLoseNothing([isolation(from: 4, to: 6)], scheduling: scheduling, events: later, agentIDs: [2: "A2"]).isEmpty)
    }

    @Test func theNotesCountWhatAPartitionDid() {
        let events = [
            launch(1, "t1"), launch(1, "t2"), status(11, "t1", "TASK_LOST"), status(11, "t2", "TASK_UNREACHABLE"),
            status(15, "t2", "TASK_RUNNING", reason: "REASON_AGENT_REREGISTERED"),
        ]
        #expect(
            TaskChecks.partitionNotes([isolation(from: 4, to: 14)], scheduling: scheduling, events: events, agentIDs: [2: "A2"]) == [
                "agent 2 cut off for 10.0 s (agent timeout 6.0 s): 1 tasks TASK_LOST, 1 TASK_UNREACHABLE, 1 of these back when it re-registered"
            ])
    }

    @Test func aTaskRunningAfterItsEndIsCaught() {
        let lingering = [TaskRun(agent: 2, framework: "", task: "t1", runs: 1)]
        #expect(
            TaskChecks.nothingRunsAfterItsEnd(lingering, events: [status(3, "t1", "TASK_LOST")]) == [
                "task t1 still ran on agent 2 at the end, though its scheduler saw it end TASK_LOST"
            ])
        #expect(TaskChecks.nothingRunsAfterItsEnd([], events: [status(3, "t1", "TASK_LOST")]).isEmpty)
    }

    @Test func resourcesStillAllocatedAtTheEndAreCaught() throws {
        func state(_ cpus: Double, _ mem: Double) throws -> MasterStateView {
            let json = #"{"slaves":[{"id":"A2","hostname":"chaos-agent-2","active":true,"resources":{"cpus":1,"mem":256},"used_resources":{"cpus":\#(cpus),"mem":\#(mem)}}],"frameworks":[]}"#
            return try MasterStateView.decode(Array(json.utf8))
        }
        #expect(TaskChecks.resourcesReturned(try state(0, 0)).isEmpty)
        #expect(TaskChecks.resourcesReturned(try state(0.1, 16)) == ["agent chaos-agent-2 still had cpus 0.1, mem 16.0 allocated after every task ended"])
    }

    @Test func anUpdateAfterTheEndOrUnreachableForAFrameworkThatIsNotPartitionAwareIsCaught() {
        func heard(_ scheduler: Int, _ time: Double, _ state: String, update: Bool = true) -> TaskEvent {
            TaskEvent(type: "status", time: time, scheduler: scheduler, task: "s\(scheduler)-1", state: state, acknowledged: update)
        }
        let aware = [heard(1, 1, "TASK_RUNNING"), heard(1, 2, "TASK_UNREACHABLE"), heard(1, 3, "TASK_RUNNING"), heard(1, 4, "TASK_FINISHED"),
            heard(1, 5, "TASK_FINISHED"), heard(1, 6, "TASK_UNKNOWN", update: false)]
        #expect(TaskChecks.mesosStateOrder(aware, partitionAware: 1).isEmpty)
        // A reconciliation answer may overtake the updates still being sent again.
        let overtaken = [heard(1, 1, "TASK_FINISHED", update: false), heard(1, 2, "TASK_RUNNING"), heard(1, 3, "TASK_FINISHED")]
        #expect(TaskChecks.mesosStateOrder(overtaken, partitionAware: 1).isEmpty)
        let lostThenUnreachable = [heard(2, 1, "TASK_RUNNING"), heard(2, 2, "TASK_LOST"), heard(2, 3, "TASK_UNREACHABLE", update: false)]
        #expect(
            TaskChecks.mesosStateOrder(lostThenUnreachable, partitionAware: 1) == [
                "task s2-1: scheduler 2, not PARTITION_AWARE, was told TASK_UNREACHABLE at 3.000 s"
            ])
        #expect(
            TaskChecks.mesosStateOrder([heard(1, 1, "TASK_LOST"), heard(1, 2, "TASK_RUNNING")], partitionAware: 1) == [
                "task s1-1 got an update TASK_RUNNING at 2.000 s, after its terminal update TASK_LOST"
            ])
    }
}
