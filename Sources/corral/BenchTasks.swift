import ArgumentParser
import CorralModel
import Foundation
import Synchronization

/// `corral bench tasks`: short tasks through the whole path — scheduler ACCEPT, the leader's
/// commit, the agent's LAUNCH, the container, and the status updates back — on a throw-away
/// local cluster; prints tasks/s and latency percentiles.
struct BenchTasks: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "Run short tasks (/bin/true in a busybox container) through masters, agents and a framework; print tasks/s and latencies.",
        discussion: """
            Starts masters and agents on loopback under a temporary directory (image store,
            agent work dirs, master data), imports busybox from the host's /bin/busybox, runs a
            framework on the scheduler SDK that launches the tasks as fast as offers allow, and
            removes everything afterwards, also on Ctrl-C or an error. Run it as root.

            Example: corral bench tasks --tasks 2000 --agents 2 --rate 150
            """
    )

    @Option(help: "Tasks to run.") var tasks = 1000
    @Option(help: "Agents to start.") var agents = 1
    @Option(help: "Masters to start: 1 or 3.") var masters = 1
    @Option(help: "The image the tasks run in (busybox is built from the host's /bin/busybox).") var image = "busybox"
    @Option(help: "Tasks launched but not ended at most at a time (the agents offer room for this many).")
    var concurrency = 64
    @Option(help: "Launch tasks at this many per second (an open loop: latency at a given load) instead of as fast as offers allow.")
    var rate: Double?
    @Option(help: "The masters' scheduling.allocation_interval_ms (default: the master's own).")
    var allocationIntervalMs: Int?
    @Option(help: "Where to make the temporary directory (default: $TMPDIR or /tmp).") var dir: String?
    @Option(help: "Give up after this many seconds.") var timeout = 600
    @Flag(help: "Keep the temporary directory (logs, work dirs) instead of removing it.") var keep = false

    /// Each task's share: the agents are sized so that `concurrency` tasks fit.
    static let taskCpus = 0.1
    static let taskMemory = 16.0

    func validate() throws {
        guard tasks > 0 else { throw ValidationError("--tasks must be positive") }
        guard agents > 0 else { throw ValidationError("--agents must be positive") }
        guard masters == 1 || masters == 3 else { throw ValidationError("--masters must be 1 or 3") }
        guard concurrency > 0 else { throw ValidationError("--concurrency must be positive") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be a positive number of tasks per second") }
    }

    func run() async throws {
        guard geteuid() == 0 else {
            throw ValidationError("run it as root: the agents' containers need namespaces, mounts and cgroups")
        }
        let interrupts = Interrupts()
        let parent = (dir ?? NSTemporaryDirectory()).trimmingSuffix("/")
        let directory = "\(parent)/corral-bench-tasks-\(getpid())"
        var scheduling = "[scheduling]\n"
        if let allocationIntervalMs { scheduling += "allocation_interval_ms = \(allocationIntervalMs)\n" }
        let cluster = try BenchTasksCluster(directory: directory, masters: masters, masterConfig: scheduling)
        var failure: (any Error)?
        do {
            try await measure(cluster, interrupts: interrupts)
        } catch {
            failure = error
        }
        if failure != nil { say("cleaning up…") }
        for problem in cluster.tearDown(keep: keep || failure != nil && !(failure is Interrupted)) {
            say("cleanup: \(problem)")
        }
        if let failure { throw failure }
    }

    private func measure(_ cluster: BenchTasksCluster, interrupts: Interrupts) async throws {
        try cluster.ensureImage(image)
        try interrupts.check()
        try cluster.startMasters()
        try interrupts.check()
        let perAgent = (concurrency + agents - 1) / agents
        let resources = String(
            format: "cpus:%.2f;mem:%.0f;disk:1000;ports:[31000-32000]", Double(perAgent) * Self.taskCpus + 0.001,
            Double(perAgent) * Self.taskMemory)
        for index in 0..<agents { try cluster.startAgent(index, resources: resources) }
        let image = image
        let framework = try BenchTasksFramework(
            masters: cluster.quorum.httpEndpoints, total: tasks, concurrency: concurrency, rate: rate
        ) { id, agent in
            var task = TaskInfo(
                name: id.value, taskID: id, agentID: agent,
                resources: [.scalar("cpus", Scalar(Self.taskCpus)), .scalar("mem", Scalar(Self.taskMemory))],
                command: CommandInfo(value: "/bin/true", shell: false, arguments: ["/bin/true"]))
            task.container = ContainerInfo(type: .mesos, mesos: ContainerInfo.MesosInfo(image: .docker(image)))
            return task
        }
        say("running \(tasks) tasks on \(agents) agent(s) and \(masters) master(s) in \(cluster.directory)…")
        let deadline = ContinuousClock.now + .seconds(timeout)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await framework.run() }
            var lastCheck = ContinuousClock.now
            while await !framework.done {
                try interrupts.check()
                guard ContinuousClock.now < deadline else {
                    let ended = await framework.endedCount
                    throw BenchTasksError("only \(ended) of \(tasks) tasks ended within \(timeout) s; see the logs in \(cluster.directory)")
                }
                if ContinuousClock.now - lastCheck > .milliseconds(500) {
                    lastCheck = ContinuousClock.now
                    try cluster.checkAgents()
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            // The last acknowledgements are still on their way: let them land before stopping.
            let settle = ContinuousClock.now + .seconds(5)
            while await framework.callsInFlight > 0 && ContinuousClock.now < settle {
                try await Task.sleep(for: .milliseconds(5))
            }
            await framework.stop()
            group.cancelAll()
        }
        let report = BenchTasksReport(timelines: Array(await framework.timelines.values))
        say(report.text(header: "corral bench tasks: tasks=\(tasks) agents=\(agents) masters=\(masters) image=\(image) concurrency=\(concurrency)"
            + (rate.map { String(format: " rate=%g/s", $0) } ?? "")))
        for error in await framework.callErrors { say("call failed: \(error)") }
    }
}

/// SIGINT and SIGTERM, turned into an error the benchmark's loops throw at their next check.
// @unchecked: `sources` is set once in init and only cancelled in deinit; `received` is a Mutex.
final class Interrupts: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let received = Mutex<Int32?>(nil)

    init() {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.received.withLock { $0 = $0 ?? number } }
            source.resume()
            return source
        }
    }

    deinit { sources.forEach { $0.cancel() } }

    /// Throws `Interrupted` once a signal came in.
    func check() throws {
        if let number = received.withLock({ $0 }) { throw Interrupted(signal: number) }
    }
}

/// The benchmark was interrupted by a signal.
struct Interrupted: Error, CustomStringConvertible {
    let signal: Int32
    var description: String { "interrupted by signal \(signal); everything the benchmark started was stopped and removed" }
}

extension String {
    /// The string without any trailing `suffix` (but never emptied to nothing from "/").
    func trimmingSuffix(_ suffix: Character) -> String {
        var result = self
        while result.count > 1 && result.last == suffix { result.removeLast() }
        return result
    }
}
