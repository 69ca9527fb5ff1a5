import CorralContainer
import CorralMaster
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension RealMasters {
    /// pymesos from PyPI, unmodified, against three Corral masters and a real agent.
    @Suite(.serialized)
    struct PyMesosTests {
        /// The JSON summary `PyMesos/scheduler.py` writes.
        struct Summary: Decodable {
            var ok: Bool
            var error: String?
            var framework_id: String?
            var offers_received: Int
            var launched: [String]
            var final_states: [String: String]
        }

        @Test func pymesosSubscribesGetsOffersAndLaunchesTasks() async throws {
            try await Self.withMastersAndAgent { venv, harness, leader, _ in
                // Start pymesos on a follower: it must follow the 307 to the leader.
                let follower = (UInt64(1)...3).first { $0 != leader } ?? leader
                let starts = harness.root + "/starts"
                _ = FileManager.default.createFile(atPath: starts, contents: nil)
                let output = harness.root + "/pymesos-summary.json"
                let log = harness.root + "/pymesos.log"
                let process = try Self.startScheduler(
                    venv: venv, log: log,
                    ["--master", harness.endpoint(follower), "--tasks", "5", "--timeout", "60", "--command", "echo $MESOS_TASK_ID >> \(starts)", output])
                defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                try await eventually("pymesos finished", seconds: 90) { !process.isRunning }
                let logText = Self.tail(log)
                #expect(process.terminationStatus == 0, "pymesos failed: \(logText)")
                let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: URL(fileURLWithPath: output)))
                #expect(summary.ok, "pymesos: \(summary.error ?? "") \(logText)")
                #expect(summary.offers_received >= 1)
                #expect(summary.launched.count == 5)
                #expect(summary.final_states.count == 5 && summary.final_states.values.allSatisfy { $0 == "TASK_FINISHED" })
                let started = ((try? String(contentsOfFile: starts, encoding: .utf8)) ?? "").split(separator: "\n")
                #expect(started.count == 5 && Set(started).count == 5, "task starts: \(started)")
            }
        }

        /// pymesos RESERVEs its tasks' CPUs for its role and LAUNCHes on them in one ACCEPT:
        /// it hears OPERATION_FINISHED, the tasks finish, the reservation comes back in an
        /// offer, and the leader's GET_AGENTS shows it in the agent's total.
        @Test func pymesosReservesCPUsAndLaunchesItsTasksOnThem() async throws {
            try await Self.withMastersAndAgent { venv, harness, leader, _ in
                let output = harness.root + "/pymesos-reserve.json"
                let log = harness.root + "/pymesos-reserve.log"
                let process = try Self.startScheduler(
                    venv: venv, log: log,
                    ["--master", harness.endpoint(leader), "--tasks", "2", "--reserve", "ml", "--timeout", "60", output])
                defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
                try await eventually("pymesos finished", seconds: 90) { !process.isRunning }
                let logText = Self.tail(log)
                #expect(process.terminationStatus == 0, "pymesos failed: \(logText)")
                let data = try Data(contentsOf: URL(fileURLWithPath: output))
                let summary = try JSONDecoder().decode(Summary.self, from: data)
                #expect(summary.ok, "pymesos: \(summary.error ?? "") \(logText)")
                #expect(summary.final_states.count == 2 && summary.final_states.values.allSatisfy { $0 == "TASK_FINISHED" })
                let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
                let operations = object["operation_updates"] as? [[String: Any]] ?? []
                #expect(!operations.isEmpty && operations.allSatisfy { $0["state"] as? String == "OPERATION_FINISHED" }, "\(operations)")
                #expect((object["reserved_offers"] as? Int ?? 0) >= 1)
                let reply = try OperatorClient.call(harness.endpoint(try harness.leader()), ["type": "GET_AGENTS"])
                let agents = (reply.json["get_agents"] as? [String: Any])?["agents"] as? [[String: Any]] ?? []
                let total = agents.first?["total_resources"] as? [[String: Any]] ?? []
                let reserved = total.filter { ($0["reservations"] as? [[String: Any]])?.last?["role"] as? String == "ml" }
                let cpus = reserved.compactMap { ($0["scalar"] as? [String: Any])?["value"] as? Double }.reduce(0, +)
                #expect(abs(cpus - 0.2) < 1e-9, "the agent's total: \(total)")
            }
        }

        /// Runs `body` with the venv, three started masters (and the leader's ID) and a real
        /// agent registered with them (and its work directory); stops them all afterwards.
        static func withMastersAndAgent(
            _ body: (_ venv: String, _ harness: QuorumHarness, _ leader: UInt64, _ workDirectory: String) async throws -> Void
        ) async throws {
            try await offCooperativePool {
                let venv = try Self.prepareVirtualenv()
                let harness = try Self.startMasters()
                defer { harness.stopAll() }
                let leader = try harness.leader()
                let workDirectory = harness.root + "/agent"
                let agent = try Self.startAgent(harness)
                defer {
                    AgentChild.kill(agent)
                    AgentChild.stopContainers(workDirectory: workDirectory)
                }
                try await eventually("the agent registered", seconds: 20) {
                    (try? String(contentsOfFile: workDirectory + ".log", encoding: .utf8))?.contains("subscribed") == true
                }
                try await body(venv, harness, leader, workDirectory)
            }
        }

        /// Three masters with fast scheduling, started.
        static func startMasters() throws -> QuorumHarness {
            let harness = try QuorumHarness(masters: 3, config: fastScheduling())
            do {
                for id in UInt64(1)...3 { try harness.start(id) }
            } catch {
                harness.stopAll()
                throw error
            }
            return harness
        }

        /// A real agent on `<root>/agent` registering with every master of `harness`.
        static func startAgent(_ harness: QuorumHarness, httpListen: String = "127.0.0.1:0") throws -> Process {
            try AgentChild.start(
                binary: try CorralBinary.locate(), masters: (UInt64(1)...3).map(harness.endpoint), workDirectory: harness.root + "/agent",
                hostname: "pymesos-agent", imageRoot: harness.root + "/images", httpListen: httpListen)
        }

        /// Starts `scheduler.py` with `arguments` in the venv, its output appended to `log`.
        static func startScheduler(venv: String, log: String, _ arguments: [String]) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: venv + "/bin/python")
            process.arguments = [pymesosDirectory + "/scheduler.py"] + arguments
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.runWithoutInheritedFiles()
            return process
        }

        /// The end of a log file, for failure messages.
        static func tail(_ path: String, _ count: Int = 4000) -> String {
            (try? String(contentsOfFile: path, encoding: .utf8)).map { String($0.suffix(count)) } ?? ""
        }

        static var pymesosDirectory: String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("PyMesos").path
        }

        /// Installs pymesos from PyPI into a virtualenv kept under `.build` (once per checkout).
        static func prepareVirtualenv() throws -> String {
            let binary = try QuorumHarness.locateBinary()
            let venv = URL(fileURLWithPath: binary).deletingLastPathComponent().deletingLastPathComponent().path + "/pymesos-venv"
            let setup = Process()
            setup.executableURL = URL(fileURLWithPath: "/bin/bash")
            setup.arguments = [pymesosDirectory + "/setup-venv.sh", venv]
            let pipe = Pipe()
            setup.standardOutput = pipe
            setup.standardError = pipe
            try setup.runWithoutInheritedFiles()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            setup.waitUntilExit()
            guard setup.terminationStatus == 0 else {
                throw HarnessError("setting up the pymesos virtualenv failed: \(text.suffix(3000))")
            }
            return venv
        }
    }
}
