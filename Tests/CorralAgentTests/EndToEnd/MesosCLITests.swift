import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// The unmodified Mesos CLI from PyPI (avmesos-cli 1.0.0) lists a Corral cluster's agents,
/// frameworks and tasks, and follows a task's output through its agent (`task attach`).
@Suite(.serialized, .offCooperativePool) struct MesosCLITests {
    static var directory: String { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path + "/MesosCLI" }

    /// Installs the CLI into a virtualenv kept under `.build` (once per checkout).
    static func prepareVirtualenv() throws -> String {
        let binary = try CorralBinary.locate()
        let venv = URL(fileURLWithPath: binary).deletingLastPathComponent().deletingLastPathComponent().path + "/mesos-cli-venv"
        let scratch = try ScratchDirectory(prefix: "corral-mesos-cli")
        defer { scratch.remove() }
        let output = try ChildProcess.run("/bin/bash", [directory + "/setup-venv.sh", venv], scratch: scratch.path)
        guard !output.signaled, output.status == 0 else {
            throw FixtureFailure("setting up the mesos-cli virtualenv failed: \(output.summary)")
        }
        return venv
    }

    /// Runs `argv` with a fresh pseudo-terminal as its stdin, stdout and stderr (`mesos task
    /// attach` insists on a terminal), copies what it prints to stdout, and exits with its
    /// status; killed after 90 seconds. The terminal writes "\n" as is (no ONLCR): Swift reads
    /// "\r\n" as one character, not a line end. With `--release=PATH` first, it creates PATH
    /// once the output shows both "out-1" and "err-1" (the task waits for that file).
    static let ptyWrapper = """
        import os, pty, signal, sys, termios
        signal.alarm(90)
        release = None
        if sys.argv[1].startswith('--release='):
            release = sys.argv.pop(1)[len('--release='):]
        seen = b''
        pid, fd = pty.fork()
        if pid == 0:
            attributes = termios.tcgetattr(1)
            attributes[1] &= ~termios.ONLCR
            termios.tcsetattr(1, termios.TCSANOW, attributes)
            os.execv(sys.argv[1], sys.argv[1:])
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            os.write(1, chunk)
            seen += chunk
            if release and b'out-1' in seen and b'err-1' in seen:
                open(release, 'w').close()
                release = None
        sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        """

    /// avmesos-cli 1.0.0's `task attach` calls `mesos.http…`, the module's name before the
    /// package was renamed to `avmesos`, without importing it: as published it stops with
    /// "NameError: name 'mesos' is not defined" before it sends anything, against any Mesos.
    /// This binds that one name to the renamed package and runs the CLI's own `__main__`,
    /// its code unchanged.
    static let renameShim = """
        import builtins, runpy, sys, avmesos, avmesos.http
        builtins.mesos = avmesos
        sys.argv = ['mesos-cli'] + sys.argv[1:]
        runpy.run_module('avmesos.cli.mesos-cli', run_name='__main__', alter_sys=True)
        """

    /// A task that writes to both streams, waits until the attached CLI has shown that (the
    /// `release` file in its sandbox; at most 90 s), writes again and exits.
    static let talkative =
        "echo out-1; echo err-1 >&2; i=0; while [ ! -e \"${MESOS_SANDBOX:-.}/release\" ] && [ $i -lt 900 ]; "
        + "do sleep 0.1; i=$((i+1)); done; echo out-2; echo err-2 >&2"

    @Test func mesosCLIListsAgentsFrameworksAndTasks() async throws {
        // pip and the CLI block their thread for a while: keep them off the cooperative pool,
        // which the other suites' clusters need.
        try await offCooperativePool {
            let venv = try Self.prepareVirtualenv()
            let cluster = try MasterQuorum(masters: 1)
            defer { cluster.stopAll() }
            try await cluster.startAll()
            try cluster.startAgent("a")
            let framework = try LaunchingScheduler(masters: [cluster.address(1).description], taskCount: 2) { id, agent in
                TaskInfo(name: id.value, taskID: id, agentID: agent, resources: [.scalar("cpus", 0.1), .scalar("mem", 16)],
                         command: CommandInfo(value: id.value == "task-0" ? "sleep 60" : Self.talkative))
            }
            let running = Task(executorPreference: TestExecutor.shared) { await framework.run() }
            defer { running.cancel() }
            try await cluster.waitUntil("the task running", seconds: 60) { await framework.states[TaskID("task-0")] == .running }
            let agentID = try #require(await framework.statuses[TaskID("task-0")]?.last?.agentID)
            let frameworkID = try #require(await framework.frameworkIDs.first)

            let config = cluster.root + "/mesos-cli.toml"
            try "[master]\naddress = \"\(cluster.address(1).description)\"\n".write(toFile: config, atomically: true, encoding: .utf8)
            // `task attach` finds task-1's agent and container through the master, then streams
            // its output from the agent until the task ends (once the CLI has shown the first lines).
            try await cluster.waitUntil("task-1 running", seconds: 60) { await framework.states[TaskID("task-1")] == .running }
            let environment = ProcessInfo.processInfo.environment.merging(["MESOS_CLI_CONFIG": config]) { $1 }
            let attach = ["task", "attach", "--no-stdin", "task-1"]
            let release = "\(cluster.workDirectory("a"))/sandboxes/\(frameworkID.value)/task-1/release"
            let attached = try ChildProcess.run(
                venv + "/bin/python",
                ["-c", Self.ptyWrapper, "--release=\(release)", venv + "/bin/python", "-c", Self.renameShim] + attach,
                environment: environment, scratch: cluster.root)
            #expect(attached.status == 0 && !attached.signaled, "mesos-cli task attach: \(attached.summary)")
            let lines = attached.lines.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            for line in ["out-1", "err-1", "out-2", "err-2"] {
                #expect(lines.contains(line), "mesos-cli task attach printed \(lines), not \(line)")
            }
            #expect(lines.firstIndex(of: "out-1") ?? .max < lines.firstIndex(of: "out-2") ?? -1)
            // Without the shim the CLI stops before it asks the agent anything (task-0 still runs).
            let asPublished = try ChildProcess.run(
                venv + "/bin/python",
                ["-c", Self.ptyWrapper, venv + "/bin/python", "-m", "avmesos.cli.mesos-cli"] + attach.dropLast() + ["task-0"],
                environment: environment, scratch: cluster.root)
            let nameError = "NameError: name 'mesos' is not defined"
            #expect(asPublished.lines.contains { $0.contains(nameError) }, "\(asPublished.summary)")
            // Where, as the README says: TaskIO.__init__ in avmesos/cli/mesos.py, line 232.
            #expect(asPublished.lines.contains { $0.contains("avmesos/cli/mesos.py\", line 232, in __init__") }, "\(asPublished.summary)")

            func cli(_ arguments: String...) throws -> String {
                let output = try ChildProcess.run(
                    venv + "/bin/python", ["-m", "avmesos.cli.mesos-cli"] + arguments,
                    environment: ProcessInfo.processInfo.environment.merging(["MESOS_CLI_CONFIG": config]) { $1 }, scratch: cluster.root)
                #expect(output.status == 0, "mesos-cli \(arguments.joined(separator: " ")): \(output.summary)")
                return output.lines.joined(separator: "\n")
            }
            let agents = try cli("agent", "list")
            #expect(agents.contains(agentID.value) && agents.contains("agent-a") && agents.contains("True"), "\(agents)")
            let frameworks = try cli("framework", "list")
            #expect(frameworks.contains(frameworkID.value) && frameworks.contains("sdk-test"), "\(frameworks)")
            let tasks = try cli("task", "list")
            #expect(tasks.contains("task-0") && tasks.contains("TASK_RUNNING") && tasks.contains(frameworkID.value), "\(tasks)")
            let inspected = try cli("task", "inspect", "task-0")
            #expect(inspected.contains("\"slave_id\": \"\(agentID.value)\"") && inspected.contains("\"statuses\""), "\(inspected)")
        }
    }
}
