import CorralTestSupport
import Foundation
import Testing

@testable import CorralContainer

/// What a build leaves behind when a step fails or the build is killed: nothing, or nothing
/// once the next build has run.
extension ImageBuildCommandTests {
    @Test func aFailingRunStopsTheBuildWithItsCodeAndLeavesNothing() throws {
        let workspace = try Workspace("fail")
        defer { workspace.remove() }
        try workspace.write(
            "Dockerfile",
            "FROM busybox\nRUN touch /made\nRUN echo about to fail; exit 7\nCMD never\n"
        )
        let failed = try workspace.build(["-t", "broken"])
        #expect(failed.status == 7, "\(failed.output)")
        #expect(failed.output.contains("about to fail"), "the step's output is shown: \(failed.output)")
        #expect(
            failed.output.contains(
                "Dockerfile:3: RUN '/bin/sh -c echo about to fail; exit 7' returned a non-zero code: 7"
            ),
            "\(failed.output)"
        )
        #expect(!failed.output.contains("Step 4/4"))
        #expect(!(try ImageStore(root: workspace.sandbox.root).list().contains { $0.name == "broken" }))
        workspace.expectNothingLeft()
    }

    /// A build killed mid-step leaves its step directory (with a mount) behind; the next build
    /// sweeps it, and leaves alone the step of a build that still holds its lock.
    @Test func aKilledBuildsLeftoversAreSweptByTheNext() throws {
        let workspace = try Workspace("sweep")
        defer { workspace.remove() }
        let build = workspace.sandbox.root + "/build"
        try FileManager.default.createDirectory(
            atPath: build + "/dead00000000/merged",
            withIntermediateDirectories: true
        )
        #expect(mount("tmpfs", build + "/dead00000000/merged", "tmpfs", 0, nil) == 0)
        #expect(FileManager.default.createFile(atPath: build + "/dead00000000.lock", contents: nil))
        #expect(FileManager.default.createFile(atPath: build + "/orphan000000.lock", contents: nil))
        try FileManager.default.createDirectory(
            atPath: build + "/live00000000",
            withIntermediateDirectories: true
        )
        let live = open(build + "/live00000000.lock", O_RDWR | O_CREAT, 0o600)
        #expect(live >= 0 && flock(live, LOCK_EX) == 0)
        defer { close(live) }
        try workspace.write("Dockerfile", "FROM busybox\nRUN true\n")
        let built = try workspace.build()
        #expect(built.status == 0, "\(built.output)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: build).sorted() == [
                "live00000000", "live00000000.lock",
            ]
        )
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        #expect(!mounts.contains(workspace.sandbox.root))
    }

    /// A build killed (SIGKILL) while its RUN sleeps leaves the RUN's process and step behind;
    /// the next build kills that process, removes its cgroup and directory.
    @Test func aBuildKilledMidRunIsCleanedUpByTheNext() throws {
        let workspace = try Workspace("killed")
        defer { workspace.remove() }
        try workspace.write("Dockerfile", "FROM busybox\nRUN echo sleeping; sleep 60\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CorralBinary.locate())
        process.arguments = ["image", "build"] + workspace.root + [workspace.context]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.runWithoutInheritedFiles()
        var seen = ""
        while !seen.contains("\nsleeping\n") {  // the RUN's output, not its Step line
            let chunk = pipe.fileHandleForReading.availableData
            try #require(!chunk.isEmpty, "the build ended before its RUN started: \(seen)")
            seen += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.sandbox.root + "/build")
        #expect(leftovers.count == 2, "the killed step's directory and lock: \(leftovers)")

        try workspace.write("Dockerfile", "FROM busybox\nRUN true\n")
        let next = try workspace.build()
        #expect(next.status == 0, "\(next.output)")
        workspace.expectNothingLeft()
    }
}
