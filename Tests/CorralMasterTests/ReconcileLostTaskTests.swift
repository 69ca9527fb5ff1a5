import CorralModel
import CorralTestSupport
import Testing

extension RealMasters {
    /// A framework without PARTITION_AWARE is told TASK_LOST when its task's agent becomes
    /// unreachable; reconciling the task must answer TASK_LOST again, not the TASK_UNREACHABLE
    /// the registry holds (corral-chaos's agent-partition scenario saw TASK_LOST followed by
    /// TASK_UNREACHABLE). A partition-aware framework keeps hearing TASK_UNREACHABLE.
    @Suite(.serialized)
    struct ReconcileLostTaskTests {
        @Test(arguments: [false, true]) func reconcilingATaskOnAnUnreachableAgentAnswersWhatTheFrameworkWasTold(_ aware: Bool) async throws {
            try await withCluster(scheduling: fastScheduling(agentTimeoutSeconds: 2), holdTasks: true) { _, endpoints, agent, group in
                let recorder = try FrameworkFailoverTests.recorder(endpoints, failoverTimeoutSeconds: 60, partitionAware: aware)
                group.addTask { await recorder.run() }
                let task = try await FrameworkFailoverTests.launchOne(recorder, "cut-off")
                try await eventually("the task runs", seconds: 20) { await recorder.states(of: task).contains(.running) }
                await agent.pause()
                let told: TaskState = aware ? .unreachable : .lost
                try await eventually("\(told.rawValue)", seconds: 30) { await recorder.states(of: task).contains(told) }
                try await recorder.client.reconcile([(task, nil)])
                try await recorder.client.reconcile()
                try await eventually("both reconciliations answer \(told.rawValue)", seconds: 20) {
                    await recorder.states(of: task).filter { $0 == told }.count >= 3
                }
                let other: TaskState = aware ? .lost : .unreachable
                #expect(await !recorder.states(of: task).contains(other))
                await agent.resume()
            }
        }
    }
}
