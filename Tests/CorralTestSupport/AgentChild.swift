import CorralContainer
import Foundation

/// A real `corral agent` child process for tests: loopback HTTP on a free port, its log
/// appended to `<workDirectory>.log`, and `--exit-with-parent` so it never outlives the run.
public enum AgentChild {
    /// Starts (or restarts, on the same work dir) an agent registering with `masters`. Give
    /// `httpListen` a fixed port when executors must find a restarted agent where they left it.
    public static func start(
        binary: String, masters: [String], workDirectory: String, hostname: String, imageRoot: String,
        resources: String = "cpus:8;mem:4096;disk:1000;ports:[31000-32000]", httpListen: String = "127.0.0.1:0",
        attributes: String? = nil, revocableResources: String? = nil, arguments: [String] = []
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "agent", "--masters", masters.joined(separator: ","), "--work-dir", workDirectory, "--hostname", hostname,
            "--http-listen", httpListen, "--resources", resources, "--image-root", imageRoot,
            "--log-level", "info", "--exit-with-parent", "--parent-pid", "\(getpid())",
        ] + (attributes.map { ["--attributes", $0] } ?? []) + (revocableResources.map { ["--revocable-resources", $0] } ?? []) + arguments
        let log = "\(workDirectory).log"
        if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.runWithoutInheritedFiles()
        return process
    }

    /// SIGKILLs the agent (its containers keep running) and waits for it to die.
    public static func kill(_ process: Process) {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops every container of the agent on `workDirectory` (its tasks' and its custom
    /// executors'), removes their records and unmounts its runtime tmpfs (containers outlive
    /// their agent on purpose).
    public static func stopContainers(workDirectory: String) {
        RuntimeDirectory.stopContainers(in: RuntimeDirectory.defaultPath(workDirectory: workDirectory), grace: .zero)
    }

    /// The container records of the agent's tasks on `workDirectory`.
    public static func taskStore(workDirectory: String) -> ContainerStore {
        ContainerStore(root: RuntimeDirectory.defaultPath(workDirectory: workDirectory))
    }

    /// Where the agent on `workDirectory` keeps its custom executors' container records.
    public static func executorRecords(workDirectory: String) -> String {
        RuntimeDirectory.executors(in: RuntimeDirectory.defaultPath(workDirectory: workDirectory)) + "/containers"
    }
}
