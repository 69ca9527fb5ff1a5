import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension RealMasters.PyMesosTests {
        /// The summary of `scheduler.py --executor-command`.
        struct ExecutorSummary: Decodable {
            struct Lost: Decodable {
                var executor_id: String
                var status: Int32
            }

            var ok: Bool
            var error: String?
            var launched: [String]
            var final_states: [String: String]
            var messages: [String]
            var executor_lost: [Lost]
        }

        /// An unmodified pymesos `MesosExecutorDriver` run by the agent as a custom executor:
        /// it gets its tasks with LAUNCH, reports TASK_RUNNING and TASK_FINISHED, exchanges
        /// framework messages with the pymesos scheduler, and its exit reaches the scheduler
        /// as a FAILURE event (`executorLost`) with its status.
        @Test func pymesosCustomExecutorRunsTasksAndExchangesMessages() async throws {
            try await Self.withMastersAndAgent { venv, harness, leader, workDirectory in
                let executorLog = harness.root + "/executor-events.jsonl"
                let output = harness.root + "/pymesos-executor-summary.json"
                let log = harness.root + "/pymesos-executor.log"
                // No image: the executor's container has the host's root filesystem, so it sees the venv.
                let executorCommand = "EXECUTOR_LOG=\(executorLog) exec \(venv)/bin/python \(Self.pymesosDirectory)/executor.py"
                let arguments = [
                    "--master", harness.endpoint(leader), "--tasks", "2",
                    "--timeout", "60", "--executor-command", executorCommand, output,
                ]
                let process = try Self.startScheduler(venv: venv, log: log, arguments)
                defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                try await eventually("pymesos finished", seconds: 90) { !process.isRunning }
                let logText = Self.tail(log)
                let agentLog = Self.tail(workDirectory + ".log", 3000)
                #expect(process.terminationStatus == 0, "pymesos failed: \(logText)\nagent: \(agentLog)")
                let summary = try JSONDecoder().decode(ExecutorSummary.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
                #expect(summary.ok, "pymesos: \(summary.error ?? "") \(logText)")
                #expect(summary.launched.count == 2)
                #expect(summary.final_states.count == 2 && summary.final_states.values.allSatisfy { $0 == "TASK_FINISHED" })
                #expect(Set(summary.messages) == Set(summary.launched.flatMap { ["running \($0)", "finished \($0)"] }))
                #expect(summary.executor_lost.map(\.executor_id) == ["pymesos-executor"])
                #expect(summary.executor_lost.first.map { $0.status >> 8 } == 3, "the executor exits with status 3")

                // What the executor saw: one registration with Mesos's environment, both tasks.
                let lines = ((try? String(contentsOfFile: executorLog, encoding: .utf8)) ?? "").split(separator: "\n")
                let events = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                let registered = events.filter { $0["event"] as? String == "registered" }
                #expect(registered.count == 1, "executor events: \(lines)")
                let environment = registered.first?["environment"] as? [String: String] ?? [:]
                for name in [
                    "MESOS_AGENT_ENDPOINT", "MESOS_FRAMEWORK_ID", "MESOS_EXECUTOR_ID", "MESOS_DIRECTORY", "MESOS_SANDBOX",
                    "MESOS_CHECKPOINT", "MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD", "MESOS_SUBSCRIPTION_BACKOFF_MAX",
                    "MESOS_RECOVERY_TIMEOUT",
                ] {
                    #expect(environment[name] != nil, "\(name) is missing from the executor's environment: \(environment)")
                }
                #expect(environment["MESOS_EXECUTOR_ID"] == "pymesos-executor")
                #expect(environment["MESOS_TASK_ID"] == nil)
                #expect(Set(events.filter { $0["event"] as? String == "launch" }.compactMap { $0["task_id"] as? String }) == Set(summary.launched))
            }
        }

        /// The pymesos executor keeps running while the agent is SIGKILLed and restarted on the
        /// same work dir and port: it re-subscribes (MESOS_CHECKPOINT), the agent re-attaches
        /// its container, and framework messages and updates flow again until both tasks finish.
        @Test func pymesosExecutorSurvivesAnAgentRestart() async throws {
            try await offCooperativePool {
                let venv = try Self.prepareVirtualenv()
                let harness = try Self.startMasters()
                defer { harness.stopAll() }
                let leader = try harness.leader()
                let workDirectory = harness.root + "/agent"
                // A fixed port: the executor finds the restarted agent where it left it.
                let listen = "127.0.0.1:\(try LoopbackPort.free())"
                var agent = try Self.startAgent(harness, httpListen: listen)
                defer {
                    AgentChild.kill(agent)
                    AgentChild.stopContainers(workDirectory: workDirectory)
                }
                let agentLog = workDirectory + ".log"
                func agentSubscriptions() -> Int {
                    ((try? String(contentsOfFile: agentLog, encoding: .utf8)) ?? "").components(separatedBy: "subscribed to a master").count - 1
                }
                let executorLog = harness.root + "/executor-events.jsonl"
                let output = harness.root + "/pymesos-restart-summary.json"
                let log = harness.root + "/pymesos-restart.log"
                let hold = harness.root + "/hold"
                let arguments = [
                    "--master", harness.endpoint(leader), "--tasks", "2", "--timeout", "90",
                    "--executor-command", "EXECUTOR_LOG=\(executorLog) exec \(venv)/bin/python \(Self.pymesosDirectory)/executor.py",
                    "--hold-file", hold, output,
                ]
                try await eventually("the agent registered", seconds: 20) { agentSubscriptions() >= 1 }
                let process = try Self.startScheduler(venv: venv, log: log, arguments)
                defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                // Both tasks run (the executor sent TASK_RUNNING before "running <task>").
                try await eventually("both tasks running", seconds: 60) {
                    ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").components(separatedBy: ": running ").count - 1 >= 2
                }
                AgentChild.kill(agent)
                agent = try Self.startAgent(harness, httpListen: listen)
                try await eventually("the executor re-subscribed to the restarted agent", seconds: 60) {
                    ((try? String(contentsOfFile: executorLog, encoding: .utf8)) ?? "").contains("\"reregistered\"")
                }
                try await eventually("the restarted agent re-registered", seconds: 30) { agentSubscriptions() >= 2 }
                _ = FileManager.default.createFile(atPath: hold, contents: nil)
                try await eventually("pymesos finished", seconds: 90) { !process.isRunning }
                let logText = Self.tail(log)
                let agentText = Self.tail(agentLog, 3000)
                #expect(process.terminationStatus == 0, "pymesos failed: \(logText)\nagent: \(agentText)")
                let summary = try JSONDecoder().decode(ExecutorSummary.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
                #expect(summary.ok, "pymesos: \(summary.error ?? "") \(logText)")
                #expect(summary.final_states.count == 2 && summary.final_states.values.allSatisfy { $0 == "TASK_FINISHED" })
                let events = ((try? String(contentsOfFile: executorLog, encoding: .utf8)) ?? "").split(separator: "\n")
                #expect(events.filter { $0.contains("\"registered\"") }.count == 1, "one executor, never started twice: \(events)")
                #expect(events.filter { $0.contains("\"launch\"") }.count == 2, "no task given twice: \(events)")
                #expect(summary.executor_lost.map(\.executor_id) == ["pymesos-executor"])
            }
        }
}
