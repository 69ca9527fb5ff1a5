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
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let ids = 1...masters
        let peers = ids.map { "--peer=\($0)=127.0.0.1:\(raftPort + $0 - 1),127.0.0.1:\(httpPort + $0 - 1)" }
        var children: [Process] = []
        for id in ids {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "master", "--node-id", "\(id)", "--cluster-id", clusterId,
                "--data-dir", "\(dataDir)/master-\(id)",
                "--raft-listen", "127.0.0.1:\(raftPort + id - 1)",
                "--http-listen", "127.0.0.1:\(httpPort + id - 1)",
                "--log-level", "warning",
            ] + peers
            try process.run()
            children.append(process)
        }
        let stop = DispatchSemaphore(value: 0)
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
        for child in children {
            child.terminationHandler = { _ in stop.signal() }
        }
        let endpoints = ids.map { "127.0.0.1:\(httpPort + $0 - 1)" }
        say("started \(masters) masters (data in \(dataDir)); waiting for a leader…")
        if let leader = waitForLeader(endpoints) {
            say("leader: master \(leader) (http://127.0.0.1:\(httpPort + Int(leader) - 1))")
            say("status: corral quorum status --endpoints \(endpoints.joined(separator: ","))")
        } else {
            say("no leader after 15 s; see `corral quorum status --endpoints \(endpoints.joined(separator: ","))`")
        }
        say("press Ctrl-C to stop")
        stop.wait()
        say("stopping the quorum…")
        for child in children where child.isRunning { child.terminate() }
        for child in children { child.waitUntilExit() }
        _ = sources
    }

    private func waitForLeader(_ endpoints: [String]) -> UInt64? {
        let client = MasterClient(timeoutSeconds: 1)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            for endpoint in endpoints {
                if let status = try? client.json(QuorumStatus.self, "GET", endpoint, "/quorum/status"),
                    status.raft.leader != 0, status.raft.role == "leader"
                {
                    return status.raft.leader
                }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }
}
