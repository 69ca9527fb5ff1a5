import CorralModel
import Foundation
import Testing

@testable import CorralAgent

/// `AgentView` shows the state machine's table grouped as Mesos groups it.
@Suite struct AgentViewTests {
    @Test func tasksAreGroupedByFrameworkAndExecutorWithTheirSandboxes() throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let view = fixture.view()
        #expect(view.agentID == "agent-1")
        #expect(view.registered)
        #expect(view.frameworks.map(\.id) == ["f1", "f2"])
        let f1 = try #require(view.frameworks.first)
        #expect(f1.info.name == "spark")
        #expect(f1.info.id == "f1")
        #expect(f1.executors.map(\.info.executorID) == ["ex", "t1", "t2"])
        // f2's launch carried no FrameworkInfo: only its ID is known.
        #expect(view.frameworks.last?.info.name == "")

        let t1 = try #require(f1.executors.first { $0.info.executorID == "t1" })
        #expect(t1.isCommandExecutor)
        #expect(t1.info.name == "Command Executor (Task: t1) (Command: sh -c 'true')")
        #expect(t1.directory == fixture.sandboxes[AgentHTTPFixture.t1])
        #expect(t1.containerID == ContainerID("c-1"))
        #expect(t1.executorPID == 42)
        #expect(t1.tasks.map(\.state) == [.running])
        #expect(t1.resources.cpus == 1)

        let group = try #require(f1.executors.first { $0.info.executorID == "ex" })
        #expect(!group.isCommandExecutor)
        #expect(group.tasks.map(\.key.taskID) == ["g1", "g2"])
        #expect(group.directory == fixture.sandboxes[AgentHTTPFixture.g1])
        // The executor's own resources count once, beside its tasks'.
        #expect(group.resources.cpus == 1.1)
        #expect(group.resources.memMegabytes == 160)

        let t2 = try #require(f1.executors.first { $0.info.executorID == "t2" })
        #expect(t2.tasks.isEmpty)
        #expect(t2.terminatedTasks.map(\.state) == [.failed])
    }

    @Test func resourcesAndStatusesAreWhatTheMachineHolds() throws {
        let fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        let view = fixture.view()
        #expect(view.totalResources.cpus == 4)
        // t1 (1) + the group (0.5 + 0.5 + 0.1) + x (1); t2 ended.
        #expect(view.usedResources.cpus == 3.1)
        #expect(view.freeResources.cpus == 0.9)
        #expect(view.pendingUpdates == fixture.harness.machine.updates.count)
        #expect(view.pendingUpdates > 0)

        let tasks = Dictionary(uniqueKeysWithValues: view.tasks.map { ($0.key, $0) })
        // t1's updates were acknowledged: only its newest status is left.
        #expect(tasks[AgentHTTPFixture.t1]?.statuses.map(\.state) == [.running])
        #expect(tasks[AgentHTTPFixture.t1]?.pendingStatuses == 0)
        // t2's were not: every one of them, oldest first.
        #expect(tasks[AgentHTTPFixture.t2]?.statuses.map(\.state) == [.starting, .failed])
        #expect(tasks[AgentHTTPFixture.t2]?.pendingStatuses == 2)
        #expect(view.flags.first { $0.name == "resources" }?.value == "cpus:4;mem:4096;disk:10000;ports:[31000-31099]")
        #expect(view.flags.first { $0.name == "attributes" }?.value == "rack:r1;level:2")
    }

    @Test func anAgentNotYetRegisteredHasNoID() throws {
        var fixture = try AgentHTTPFixture()
        defer { fixture.remove() }
        fixture.harness = AgentHarness()
        fixture.harness.step(.started(recovered: .empty))
        let view = fixture.view(master: nil)
        #expect(view.agentID == "")
        #expect(!view.registered)
        #expect(view.frameworks.isEmpty)
        #expect(AgentStateV0.state(view)["master_hostname"] == nil)
    }
}
