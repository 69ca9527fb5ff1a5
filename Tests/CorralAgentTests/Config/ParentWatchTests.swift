import CorralContainer
import CorralTestSupport
import Foundation
import Testing

/// `--exit-with-parent --parent-pid`: a child whose starter is already gone when it begins
/// watching exits at once instead of running on under its new parent.
@Suite(.offCooperativePool)
struct ParentWatchTests {
    @Test func aChildWhoseStarterIsGoneExitsAtOnce() throws {
        let scratch = try ScratchDirectory(prefix: "corral-parent-watch")
        defer { scratch.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CorralBinary.locate())
        // pid 1 is never the test's own pid: the child sees a parent other than the one named.
        process.arguments = [
            "agent", "--masters", "127.0.0.1:1", "--work-dir", scratch.path + "/work", "--resources", "cpus:1;mem:64",
            "--exit-with-parent", "--parent-pid", "1",
        ]
        try process.runWithoutInheritedFiles()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try eventuallyBlocking("the agent exits", seconds: 20) { !process.isRunning }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/work"), "it stopped before doing anything")
    }
}
