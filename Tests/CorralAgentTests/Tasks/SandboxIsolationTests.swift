import CorralAgent
import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// From inside its container a task sees its own sandbox and nothing of the agent's: not
/// another task's sandbox, not the agent's work dir (root only: real containers).
@Suite(.enabled(if: geteuid() == 0, "containers need root"), .offCooperativePool)
struct SandboxIsolationTests {
    @Test func aContainerSeesNeitherOtherSandboxesNorTheWorkDir() async throws {
        let fixture = try RunnerFixture("isolation")
        defer { fixture.finish() }
        let runner = try fixture.runner()
        _ = try await runner.launch(RunnerFixture.launch("first", .shell("echo private > secret"))).get()
        let (firstKey, firstEnd) = try await RunnerFixture.nextEnd(runner)
        #expect(firstEnd.state == .finished, "\(firstEnd)")
        let neighbour = fixture.sandbox("first")
        #expect(FileManager.default.fileExists(atPath: neighbour + "/secret"))
        let probes = [neighbour, neighbour + "/secret", fixture.workDirectory, fixture.configuration.runtimeDirectory]
        let script = probes.map { "if ls '\($0)' >/dev/null 2>&1; then echo \"VISIBLE \($0)\"; else echo \"HIDDEN \($0)\"; fi" }
            .joined(separator: "; ") + "; echo LISTING; ls /mnt/mesos/sandbox"
        _ = try await runner.launch(RunnerFixture.launch("second", .shell(script))).get()
        let (secondKey, secondEnd) = try await RunnerFixture.nextEnd(runner)
        #expect(secondEnd.state == .finished, "\(secondEnd)")
        let output = fixture.stdout("second")
        for probe in probes { #expect(output.contains("HIDDEN \(probe)"), "\(probe) is visible: \(output)") }
        #expect(!output.contains("VISIBLE"), "\(output)")
        let listing = output.components(separatedBy: "LISTING\n").last ?? ""
        #expect(!listing.contains("secret"), "another task's file shows up: \(listing)")
        #expect(listing.contains("stdout"), "its own sandbox is there: \(output)")
        try await runner.release(firstKey)
        try await runner.release(secondKey)
    }
}
