import CorralChaos
import Testing

/// The "no acknowledged status update lost" check: the agents' log lines of committed updates,
/// and the scheduler's view of them.
@Suite struct CommittedUpdatesTests {
    static let log = """
        2026-12-04T16:43:21+0000 info corral.agent: agent=new connection=1 term=0 [CorralAgent] subscribing to the leading master
        2026-12-04T16:43:21+0000 info corral.agent: state=TASK_RUNNING task=f1/s1-1 [CorralAgent] status update committed by the master
        2026-12-04T16:43:22+0000 info corral.agent: state=TASK_FINISHED task=f1/s1-1 [CorralAgent] status update committed by the master
        2026-12-04T16:43:22+0000 info corral.agent: state=TASK_FINISHED task=f2/s2-4 [CorralAgent] status update committed by the master
        """

    static func status(_ task: String, _ state: String, scheduler: Int = 1, source: String = "SOURCE_EXECUTOR") -> TaskEvent {
        TaskEvent(type: "status", time: 1, scheduler: scheduler, task: task, state: state, source: source)
    }

    static func subscribed(_ framework: String, _ scheduler: Int) -> TaskEvent {
        TaskEvent(type: "subscribed", time: 0, scheduler: scheduler, framework: framework)
    }

    static func final(_ frameworks: [String]) throws -> MasterStateView {
        let listed = frameworks.map { #"{"id":"\#($0)","name":"n","tasks":[]}"# }.joined(separator: ",")
        return try MasterStateView.decode(Array(#"{"slaves":[],"frameworks":[\#(listed)]}"#.utf8))
    }

    @Test func theLogLinesAreRead() {
        #expect(CommittedUpdate.parse(log: Self.log, agent: 2) == [
            CommittedUpdate(agent: 2, framework: "f1", task: "s1-1", state: "TASK_RUNNING"),
            CommittedUpdate(agent: 2, framework: "f1", task: "s1-1", state: "TASK_FINISHED"),
            CommittedUpdate(agent: 2, framework: "f2", task: "s2-4", state: "TASK_FINISHED"),
        ])
    }

    @Test func anUpdateItsSchedulerNeverSawIsCaught() throws {
        let committed = CommittedUpdate.parse(log: Self.log, agent: 1)
        let events = [
            Self.subscribed("f1", 1), Self.subscribed("f2", 2), Self.status("s1-1", "TASK_RUNNING"), Self.status("s1-1", "TASK_FINISHED"),
            Self.status("s2-4", "TASK_FINISHED", scheduler: 2),
        ]
        #expect(TaskChecks.committedUpdatesDelivered(committed, events: events, final: try Self.final(["f1", "f2"])).isEmpty)
        let missing = events.filter { !($0.task == "s1-1" && $0.state == "TASK_RUNNING") }
        #expect(TaskChecks.committedUpdatesDelivered(committed, events: missing, final: try Self.final(["f1", "f2"])) == [
            "task s1-1's TASK_RUNNING was committed (agent 1 had it acknowledged) but its scheduler never saw it"
        ])
        // The same state seen by the other scheduler does not count.
        let wrongScheduler = missing + [Self.status("s1-1", "TASK_RUNNING", scheduler: 2)]
        #expect(TaskChecks.committedUpdatesDelivered(committed, events: wrongScheduler, final: try Self.final(["f1", "f2"])).count == 1)
        // A task whose scheduler saw it end otherwise (TASK_LOST while its agent was cut off)
        // hears nothing after that.
        let lost = missing.filter { $0.task != "s1-1" } + [Self.status("s1-1", "TASK_LOST", source: "SOURCE_MASTER")]
        #expect(TaskChecks.committedUpdatesDelivered(committed, events: lost, final: try Self.final(["f1", "f2"])).isEmpty)
        // A framework no longer registered is another checker's business.
        #expect(TaskChecks.committedUpdatesDelivered(committed, events: missing, final: try Self.final(["f2"])).isEmpty)
    }
}
