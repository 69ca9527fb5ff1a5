import CorralContainer
import CorralMaster
import Foundation
import Synchronization

/// The processes of `corral up` and their supervision: each one's end is reported and, by
/// `UpSupervision`'s policy, it is started again with its own data directory.
final class UpCluster: @unchecked Sendable {
    // @unchecked: the process tables are used from the thread that runs `runUntilInterrupted`
    // (and `startAll` / `stopAll` before and after it); termination handlers only touch `ended`.
    let quorum: LocalQuorum
    let agentCount: Int
    let directory: String
    let agentResources: String?
    private var supervision: UpSupervision
    private var catchUp = CatchUpWatch()
    private var agents: [Int: Process] = [:]
    /// Processes that ended, as (name, how), from termination handlers.
    private let ended = Mutex<[(String, String)]>([])
    private let wake = DispatchSemaphore(value: 0)
    private let interrupted = Atomic<Bool>(false)
    private let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    private var signalSources: [any DispatchSourceSignal] = []

    init(quorum: LocalQuorum, agentCount: Int, directory: String, agentResources: String?, supervision: UpSupervision) {
        self.quorum = quorum
        self.agentCount = agentCount
        self.directory = directory
        self.agentResources = agentResources
        self.supervision = supervision
    }

    func startAll() throws {
        for member in quorum.members { try start("master \(member.id)") }
        for index in stride(from: 1, through: agentCount, by: 1) { try start("agent \(index)") }
    }

    /// Starts the process named `master N` or `agent N`.
    private func start(_ name: String) throws {
        let parts = name.split(separator: " ")
        guard parts.count == 2, let number = Int(parts[1]) else { return }
        let process: Process
        if parts[0] == "master" {
            try quorum.start(UInt64(number), logLevel: "notice")
            guard let started = quorum.processes[UInt64(number)] else { return }
            process = started
        } else {
            process = try startAgent(number)
            agents[number] = process
        }
        supervision.started(name, now: .now)
        process.terminationHandler = { [weak self] ended in
            guard let self else { return }
            self.ended.withLock { $0.append((name, Self.how(ended))) }
            self.wake.signal()
        }
    }

    private func startAgent(_ index: Int) throws -> Process {
        try LocalAgent.start(
            executable: executable, masters: quorum.httpEndpoints, workDirectory: "\(directory)/agent-\(index)",
            hostname: "agent-\(index)", log: "\(directory)/agent-\(index).log", logLevel: "notice",
            extraArguments: agentResources.map { ["--resources", $0] } ?? [])
    }

    static func how(_ process: Process) -> String {
        switch process.terminationReason {
        case .uncaughtSignal: "killed by signal \(process.terminationStatus)"
        default: "exited with status \(process.terminationStatus)"
        }
    }

    /// SIGINT and SIGTERM no longer end this process: they set `isInterrupted`. Call it first.
    func watchSignals() {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signalSources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in interrupt() }
            source.resume()
            return source
        }
    }

    /// Whether Ctrl-C (or SIGTERM) came, or `interrupt()` was called.
    var isInterrupted: Bool { interrupted.load(ordering: .sequentiallyConsistent) }

    /// Ends `runUntilInterrupted` as SIGINT does.
    func interrupt() {
        interrupted.store(true, ordering: .sequentiallyConsistent)
        wake.signal()
    }

    /// Supervises until SIGINT or SIGTERM: reports ends and leader changes, restarts what is
    /// due, and says when a master started again has caught up with the leader.
    func runUntilInterrupted() {
        var leaders = LeaderWatch()
        while !interrupted.load(ordering: .sequentiallyConsistent) {
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            guard !interrupted.load(ordering: .sequentiallyConsistent) else { break }
            let now = ContinuousClock.now
            for (name, how) in ended.withLock({ events in defer { events = [] }; return events }) {
                carryOut(supervision.ended(name, how: how, now: now))
            }
            carryOut(supervision.tick(now: now))
            let statuses = quorum.processes.keys.sorted().compactMap { quorum.status($0, timeoutSeconds: 1) }
            if let line = leaders.observe(statuses, now: ContinuousClock.now) { say(line) }
            for line in catchUp.observe(statuses, now: ContinuousClock.now) { say(line) }
        }
    }

    private func carryOut(_ effects: [UpSupervision.Effect]) {
        for effect in effects {
            switch effect {
            case .say(let line): say(line)
            case .start(let name):
                do {
                    try start(name)
                    say("\(name) started again")
                    if name.hasPrefix("master "), let id = UInt64(name.dropFirst("master ".count)) {
                        catchUp.restarted(id, now: .now)
                    }
                } catch {
                    say("\(name) could not be started again: \(error)")
                }
            }
        }
    }

    /// Stops every process, then every container the agents left running.
    func stopAll() {
        for process in quorum.processes.values { process.terminationHandler = nil }
        for process in agents.values { process.terminationHandler = nil }
        for process in agents.values where process.isRunning { process.terminate() }
        for process in agents.values { process.waitUntilExit() }
        quorum.stopAll()
        for index in agents.keys.sorted() {
            for problem in RuntimeDirectory.stopContainers(
                in: RuntimeDirectory.defaultPath(workDirectory: "\(directory)/agent-\(index)"), grace: .seconds(1)) {
                say("could not clean up \(problem)")
            }
        }
        agents = [:]
    }
}
