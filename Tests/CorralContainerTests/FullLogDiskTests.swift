import CorralContainer
import Foundation
import Testing

/// A container whose log files cannot be written (its sandbox disk is full: here the log
/// files are links to /dev/full, where every write fails with ENOSPC) runs to its end, and its
/// exit status is recorded; the output is dropped rather than the container abandoned.
@Suite("Full log disk")
struct FullLogDiskTests {
    @Test func aContainerWhoseLogsCannotBeWrittenStillEndsWithItsStatus() throws {
        let sandbox = try TestSandbox("fulllog")
        defer { sandbox.expectNothingLeft() }
        let logs = sandbox.root + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: logs) }
        for name in ["stdout", "stderr"] { try FileManager.default.createSymbolicLink(atPath: "\(logs)/\(name)", withDestinationPath: "/dev/full") }
        let container = Container(
            spec: try sandbox.spec(["sh", "-c", "echo out; echo err >&2; sleep 0.2; echo again; exit 3"]) { $0.logDirectory = logs },
            paths: sandbox.paths
        )
        let exit = try container.run()
        #expect(exit.status == .exited(3))
    }
}
