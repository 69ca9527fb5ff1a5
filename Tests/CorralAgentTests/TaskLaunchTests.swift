import CorralModel
import Foundation
import Testing

@testable import CorralAgent

@Suite struct TaskLaunchTests {
    @Test func aLaunchSurvivesACheckpointRoundTrip() throws {
        var info = TaskInfo(name: "sleep", taskID: TaskID("t1"), agentID: AgentID("a1"), resources: [.scalar("cpus", Scalar(0.5))])
        info.command = CommandInfo(value: "sleep 1")
        let launch = TaskLaunch(key: TaskKey(FrameworkID("f1"), TaskID("t1")), frameworkInfo: nil, task: info, executor: nil)
        let decoded = try JSONDecoder().decode(TaskLaunch.self, from: JSONEncoder().encode(launch))
        #expect(decoded == launch)
        #expect(decoded.task.command?.value == "sleep 1")
    }
}
