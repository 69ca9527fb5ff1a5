import CorralContainer
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension MasterQuorum {
    /// The work dir of agent `name`: `<root>/agent-<name>`.
    func workDirectory(_ name: String) -> String { "\(root)/agent-\(name)" }

    var agentWorkDirectories: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { $0.hasPrefix("agent-") && !$0.hasSuffix(".log") }.sorted().map { "\(root)/\($0)" }
    }

    /// Starts (or restarts, on the same work dir) `corral agent` named `name` against every master.
    func startAgent(_ name: String, resources: String = "cpus:8;mem:4096;disk:1000;ports:[31000-32000]") throws {
        let masters = ports.keys.sorted().map { "127.0.0.1:\(ports[$0]?.http ?? 0)" }.joined(separator: ",")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "agent", "--masters", masters, "--work-dir", workDirectory(name), "--hostname", "agent-\(name)",
            "--http-listen", "127.0.0.1:0", "--resources", resources, "--image-root", "\(root)/images",
            "--log-level", "info", "--exit-with-parent",
        ]
        let log = "\(workDirectory(name)).log"
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        agents[name] = process
    }

    /// SIGKILLs agent `name` (its containers keep running) and waits for it to die.
    func killAgent(_ name: String) {
        guard let process = agents.removeValue(forKey: name) else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// Cleanup of what agents leave behind on purpose (containers outlive their agent).
enum AgentProcesses {
    /// Stops every container recorded under the agents' work dirs and removes their records.
    static func stopContainers(workDirectories: [String]) {
        for directory in workDirectories {
            let store = ContainerStore(root: "\(directory)/containers")
            for record in (try? store.list()) ?? [] {
                _ = try? store.stop(record, grace: .zero)
                try? store.remove(record)
            }
        }
    }
}
