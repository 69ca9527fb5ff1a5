import CorralModel
import Foundation

/// What `corral run` shows while its tasks run: their states as they change (a progress
/// line when there are more than three), their output (streamed for one task, printed as
/// each ends for several), and at the end the exit code.
struct RunWatch: Sendable {
    let connection: ClusterConnection
    let ids: [TaskID]
    let detach: Bool
    /// `--json`: no state lines and no output, only the summary the command prints.
    let quiet: Bool
    /// How long to wait before giving up (the tasks are then killed, exit 124).
    let timeout: Duration?

    /// One task's output as read so far.
    private struct Output {
        var sandbox: Sandbox?
        var offsets = ["stdout": 0, "stderr": 0]
        var done = false
    }

    /// Watches until every task ended and its output is printed (or, detached, until every
    /// task is launched); returns the exit code.
    func run(_ framework: RunFramework, interrupted: @escaping @Sendable () -> Bool) async -> Int32 {
        var shown: [TaskID: TaskState] = [:]
        var endOrder: [TaskID] = []
        var outputs: [TaskID: Output] = [:]
        var lastProgress = ""
        var agentNames: [String: String] = [:]
        // On a terminal the progress line is rewritten in place; in a pipe each change is a line.
        let rewrite = isatty(STDERR_FILENO) == 1
        let started = ContinuousClock.now
        var warned = false
        while true {
            if interrupted() {
                note("interrupted: killing the tasks")
                return 130
            }
            if let timeout, ContinuousClock.now - started > timeout {
                note("timed out after \(timeout): killing the tasks")
                return 124
            }
            if let refusal = await framework.refusal {
                note("the masters refused the framework: \(refusal)")
                return 2
            }
            if detach, await framework.allLaunched {
                for id in ids { say(id.value) }
                return 0
            }
            let statuses = await framework.statuses
            if let agent = statuses.values.compactMap(\.agentID).first(where: { agentNames[$0.value] == nil }) {
                let connection = connection
                let names = (try? await blocking { try connection.agents().compactMapValues { $0["hostname"]?.text } }) ?? [:]
                agentNames.merge(names) { _, new in new }
                if agentNames[agent.value] == nil { agentNames[agent.value] = agent.value }
            }
            for id in ids {
                guard let status = statuses[id], shown[id] != status.state else { continue }
                shown[id] = status.state
                if status.state.isTerminal { endOrder.append(id) }
                let line = describe(status, agentNames: agentNames)
                if ids.count <= 3 && !quiet { note(line) }
                if ids.count > 3 && !quiet && status.state.isTerminal && status.state != .finished {
                    note(rewrite ? "\r\u{1B}[K" + line : line)
                    lastProgress = ""
                }
            }
            if ids.count > 3 && !quiet {
                let line = progress(shown)
                if line != lastProgress {
                    if rewrite {
                        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + (shown.count == ids.count && shown.values.allSatisfy(\.isTerminal) ? "\n" : "")).utf8))
                    } else {
                        note(line)
                    }
                    lastProgress = line
                }
            }
            if !quiet && !detach {
                for id in ids {
                    guard let status = statuses[id], outputs[id]?.done != true else { continue }
                    let streaming = ids.count == 1 && status.state == .running
                    guard streaming || status.state.isTerminal else { continue }
                    var output = outputs[id] ?? Output()
                    await read(&output, id: id, status: status, framework: framework, final: status.state.isTerminal)
                    outputs[id] = output
                }
            }
            let ended = ids.allSatisfy { shown[$0]?.isTerminal == true }
            if ended && (quiet || ids.allSatisfy { outputs[$0]?.done == true }) {
                return endOrder.compactMap { statuses[$0].flatMap(Self.exitCode) }.first { $0 != 0 } ?? 0
            }
            if !warned && shown.isEmpty && ContinuousClock.now - started > .seconds(10) {
                warned = true
                let seen = await framework.offersSeen
                note(seen == 0
                    ? "waiting for offers: no agent has offered resources yet (corral agents lists them)"
                    : "waiting for room: the offers so far lack the cpus and memory asked for (corral agents shows what is free)")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Reads what the task wrote since the last read and prints it.
    private func read(_ output: inout Output, id: TaskID, status: TaskStatus, framework: RunFramework, final: Bool) async {
        if output.sandbox == nil {
            let frameworkID = await framework.client.frameworkID?.value ?? ""
            let record: JSONValue = [
                "id": .string(id.value), "framework_id": .string(frameworkID), "slave_id": .string(status.agentID?.value ?? ""),
            ]
            let connection = connection
            output.sandbox = try? await blocking { try connection.sandbox(of: record) }
        }
        guard let sandbox = output.sandbox else {
            // A task that ended without a sandbox (refused, never launched) has no output.
            if final { output.done = true }
            return
        }
        for file in ["stdout", "stderr"] {
            let offset = output.offsets[file] ?? 0
            let client = connection.client
            guard let (text, next) = try? await blocking({ try sandbox.read(file, from: offset, client: client) }) else { continue }
            output.offsets[file] = next
            print(text, of: id, to: file)
        }
        if final { output.done = true }
    }

    private func print(_ text: String, of id: TaskID, to file: String) {
        guard !text.isEmpty else { return }
        var shown = text
        if ids.count > 1 {
            shown = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                .map { index, line in line.isEmpty && index > 0 ? "" : "[\(id.value)] \(line)" }.joined(separator: "\n")
        }
        (file == "stderr" ? FileHandle.standardError : FileHandle.standardOutput).write(Data(shown.utf8))
    }

    private func describe(_ status: TaskStatus, agentNames: [String: String]) -> String {
        var line = "\(status.taskID.value): \(status.state.rawValue)"
        if status.state == .running, let agent = status.agentID { line += " on \(agentNames[agent.value] ?? agent.value)" }
        if status.state.isTerminal, status.state != .finished, let message = status.message, !message.isEmpty { line += " (\(message))" }
        return line
    }

    private func progress(_ shown: [TaskID: TaskState]) -> String {
        let counts = Dictionary(grouping: shown.values, by: { $0 }).mapValues(\.count)
        let waiting = ids.count - shown.count
        let parts = [(TaskState.staging, "staging"), (.starting, "starting"), (.running, "running"), (.finished, "finished"),
                     (.failed, "failed"), (.killed, "killed"), (.error, "error"), (.lost, "lost")]
            .compactMap { state, word in counts[state].map { "\($0) \(word)" } }
        return "\(ids.count) tasks: " + ([waiting > 0 ? "\(waiting) waiting" : nil].compactMap { $0 } + parts).joined(separator: ", ")
    }

    private func note(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

    /// The exit code a terminal status stands for. The agent reports the command's end in
    /// the message, as Mesos's command executor does ("Command exited with status 3",
    /// "… terminated by signal SIGKILL (9)"): a status is that number, a signal 128 + N.
    /// A task that could not run (ERROR, DROPPED, its container not launched) is 125; one lost is 1.
    static func exitCode(_ status: TaskStatus) -> Int32? {
        guard status.state.isTerminal else { return nil }
        if status.state == .finished { return 0 }
        let message = status.message ?? ""
        if let range = message.range(of: "exited with status ") {
            let digits = message[range.upperBound...].prefix(while: \.isNumber)
            if let code = Int32(digits) { return code }
        }
        if let range = message.range(of: "terminated by signal "), let open = message[range.upperBound...].firstIndex(of: "(") {
            let digits = message[message.index(after: open)...].prefix(while: \.isNumber)
            if let signal = Int32(digits) { return 128 + signal }
        }
        if status.reason == .containerLaunchFailed { return 125 }
        switch status.state {
        case .killed: return 137
        case .error, .dropped: return 125
        default: return 1
        }
    }
}
