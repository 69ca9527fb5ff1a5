import ArgumentParser
import CorralContainer
import CorralMaster
import Foundation
import Synchronization

/// `corral up`: a local cluster on loopback — masters and agents as separate processes — in
/// the foreground. A process that dies is reported and started again with its own data; a
/// leader change is reported with how long the cluster had no leader; Ctrl-C stops everything.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local cluster (3 or 5 masters, N agents) on loopback; Ctrl-C stops it.",
        discussion: """
            Master i listens for Raft on 127.0.0.1:(raft-port + i - 1) and for HTTP on
            127.0.0.1:(http-port + i - 1), as in Configs/three-node and Configs/five-node.
            Logs: <data-dir>/master-i.log and <data-dir>/agent-i.log.

            Example: corral up --masters 5 --agents 2
            """
    )

    @Option(help: "How many masters: 3 or 5.") var masters: Int = 3
    @Option(help: "How many agents.") var agents: Int = 1
    @Option(help: "Where the processes keep their data (master-1, agent-1, …).") var dataDir: String = ".corral/up"
    @Option(help: "Raft port of master 1 (0: free ports chosen for all).") var raftPort: Int = 7101
    @Option(help: "HTTP port of master 1 (0: free ports chosen for all).") var httpPort: Int = 5051
    @Option(help: "The cluster id.") var clusterId: String = "corral-local"
    @Option(help: "Restart a process that dies: always or never.") var restart: String = "always"
    @Option(help: "What each agent offers (default: detected from this machine, shared by all agents).")
    var agentResources: String?
    @Flag(inversion: .prefixedNo, help: "Run a short demo job (a few tasks in busybox containers) once the cluster is up.")
    var demo = true
    /// Set by test harnesses: when the process that started `corral up` ends, the cluster is
    /// stopped as by Ctrl-C, so a harness that crashes leaves no cluster running.
    @Flag(help: .hidden) var exitWithParent = false
    /// The pid of the process that started this one, for `--exit-with-parent`: a parent that
    /// died before the watch began is noticed too.
    @Option(help: .hidden) var parentPid: Int32?

    func validate() throws {
        guard masters == 3 || masters == 5 else { throw ValidationError("--masters must be 3 or 5") }
        guard agents >= 0 else { throw ValidationError("--agents must be 0 or more") }
        guard UpSupervision.Restart(rawValue: restart) != nil else { throw ValidationError("--restart must be always or never") }
    }

    func run() async throws {
        let directory = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = raftPort == 0 || httpPort == 0 ? LocalQuorum.freePortBase(count: 2 * masters) : 0
        let cluster = UpCluster(
            quorum: LocalQuorum(
                count: masters, raftPort: raftPort == 0 ? base : raftPort, httpPort: httpPort == 0 ? base + masters : httpPort, dataDirectory: directory, clusterID: clusterId),
            agentCount: agents, directory: directory, agentResources: agentResources,
            supervision: UpSupervision(restart: UpSupervision.Restart(rawValue: restart) ?? .always))
        cluster.watchSignals()
        if exitWithParent {
            ParentWatch.whenOrphaned(expectedParent: parentPid) {
                say("the process that started corral up is gone: stopping the cluster")
                cluster.interrupt()
            }
        }
        guard !cluster.isInterrupted else { return }
        try cluster.startAll()
        let endpoints = cluster.quorum.httpEndpoints.joined(separator: ",")
        say("started \(masters) masters (http \(endpoints)) and \(agents) agent(s); data and logs in \(directory)")
        let first = cluster.quorum.httpEndpoints.first ?? "127.0.0.1:5051"
        say("schedulers: POST http://\(first)/api/v1/scheduler (Mesos v1 API; any master redirects to the leader)")
        say("operators:  POST http://\(first)/api/v1, GET http://\(first)/master/state; corral quorum status --endpoints \(endpoints)")
        say("mesos CLI:  [master] address = \"\(first)\" in ~/.mesos/config.toml")
        let defaults = cluster.quorum.httpEndpoints.allSatisfy(ClusterOptions.upDefault.contains)
        say("corral CLI: \(defaults ? "" : "export CORRAL_MASTERS=\(endpoints); ")corral run -- echo hi; corral ps -a; corral agents")
        // The supervision loop blocks on a semaphore: it gets a thread of its own, from the
        // start, so a death during the demo is reported (and repaired) at once.
        let supervised = AsyncStream<Void>.makeStream()
        Thread.detachNewThread {
            cluster.runUntilInterrupted()
            supervised.continuation.finish()
        }
        if demo && agents > 0 {
            let imageRoot = ContainerStore.resolveRoot(option: nil)
            if UpDemo.ensureBusybox(imageRoot: imageRoot, scratch: directory) {
                await UpDemo.run(
                    masters: cluster.quorum.httpEndpoints, agentWorkDirectory: "\(directory)/agent-1",
                    interrupted: { cluster.isInterrupted })
            }
        }
        if !cluster.isInterrupted { say("press Ctrl-C to stop") }
        for await _ in supervised.stream {}
        say("stopping the cluster…")
        cluster.stopAll()
        say("stopped")
    }
}
