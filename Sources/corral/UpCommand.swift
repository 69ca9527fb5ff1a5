import ArgumentParser
import CorralMaster
import Foundation

/// `corral up`: a local quorum on loopback, as separate processes, in the foreground.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local 3- or 5-master quorum on loopback; Ctrl-C stops it.",
        discussion: "Master i listens for Raft on 127.0.0.1:(raft-port + i - 1) and for HTTP on 127.0.0.1:(http-port + i - 1), as in Configs/three-node and Configs/five-node."
    )

    @Option(help: "How many masters: 3 or 5.") var masters: Int = 3
    @Option(help: "Where the masters keep their data (master-1, master-2, …).") var dataDir: String = ".corral/up"
    @Option(help: "Raft port of master 1.") var raftPort: Int = 7101
    @Option(help: "HTTP port of master 1.") var httpPort: Int = 5051
    @Option(help: "The cluster id.") var clusterId: String = "corral-local"

    func validate() throws {
        guard masters == 3 || masters == 5 else { throw ValidationError("--masters must be 3 or 5") }
    }

    func run() throws {
        let quorum = LocalQuorum(
            count: masters, raftPort: raftPort, httpPort: httpPort, dataDirectory: dataDir, clusterID: clusterId)
        try quorum.startAll(inheritOutput: true)
        let stop = DispatchSemaphore(value: 0)
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
        for child in quorum.processes.values {
            child.terminationHandler = { _ in stop.signal() }
        }
        let endpoints = quorum.httpEndpoints.joined(separator: ",")
        say("started \(masters) masters (data in \(dataDir)); waiting for a leader…")
        if let leader = quorum.waitForLeader() {
            say("leader: master \(leader.raft.id) (http://\(quorum.member(leader.raft.id).map { "\($0.http)" } ?? "?")) in term \(leader.raft.term)")
            say("status: corral quorum status --endpoints \(endpoints)")
            let first = quorum.httpEndpoints.first ?? "127.0.0.1:5051"
            say("schedulers: POST http://\(first)/api/v1/scheduler (Mesos v1 API; any master redirects to the leader)")
            say("operators:  POST http://\(first)/api/v1, GET http://\(first)/master/state")
        } else {
            say("no leader after 15 s; see `corral quorum status --endpoints \(endpoints)`")
        }
        say("press Ctrl-C to stop")
        stop.wait()
        say("stopping the quorum…")
        quorum.stopAll()
        _ = sources
    }
}
