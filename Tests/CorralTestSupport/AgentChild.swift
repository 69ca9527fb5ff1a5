import CorralContainer
import Foundation

/// A real `corral agent` child process for tests: loopback HTTP on a free port, its log
/// appended to `<workDirectory>.log`, and `--exit-with-parent` so it never outlives the run.
public enum AgentChild {
    /// Starts (or restarts, on the same work dir) an agent registering with `masters`. Give
    /// `httpListen` a fixed port when executors must find a restarted agent where they left it.
    public static func start(
        binary: String, masters: [String], workDirectory: String, hostname: String, imageRoot: String,
        resources: String = "cpus:8;mem:4096;disk:1000;ports:[31000-32000]", httpListen: String = "127.0.0.1:0"
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "agent", "--masters", masters.joined(separator: ","), "--work-dir", workDirectory, "--hostname", hostname,
            "--http-listen", httpListen, "--resources", resources, "--image-root", imageRoot,
            "--log-level", "info", "--exit-with-parent",
        ]
        let log = "\(workDirectory).log"
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// SIGKILLs the agent (its containers keep running) and waits for it to die.
    public static func kill(_ process: Process) {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops every container recorded under an agent's work dir and removes its records
    /// (containers outlive their agent on purpose).
    public static func stopContainers(workDirectory: String) {
        // Tasks' containers, then custom executors' (under `executors/`).
        for root in ["\(workDirectory)/containers", "\(workDirectory)/executors/containers"] {
            let store = ContainerStore(root: root)
            for record in (try? store.list()) ?? [] {
                _ = try? store.stop(record, grace: .zero)
                try? store.remove(record)
            }
        }
    }
}
