import CorralAgent
import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// `corral agent --userns`: a task's root is the mapping's first ID on the host, its sandbox is
/// its own to write, and a task without an image (which a user namespace needs) is refused.
@Suite(.enabled(if: geteuid() == 0, "containers need root"), .offCooperativePool)
struct TaskUserNamespaceTests {
    static let mapping = UserNamespaceMapping(hostUID: 210_000, hostGID: 210_000)

    @Test func rootInATaskIsNotRootOnTheHost() async throws {
        let fixture = try RunnerFixture("userns", userNamespace: Self.mapping)
        defer { fixture.finish() }
        let runner = try fixture.runner()
        let script = "id -u; tr -s ' ' < /proc/self/uid_map; echo made > $MESOS_SANDBOX/made && echo wrote"
        _ = try await runner.launch(RunnerFixture.launch("root", .shell(script))).get()
        let (key, end) = try await RunnerFixture.nextEnd(runner)
        #expect(end.state == .finished, "\(end) stderr: \(fixture.stderr("root"))")
        #expect(fixture.stdout("root") == "0\n 0 210000 65536\nwrote\n", "stderr: \(fixture.stderr("root"))")
        // What the task's root made belongs to the range's first uid on the host.
        var info = stat()
        #expect(stat(fixture.sandbox("root") + "/made", &info) == 0 && info.st_uid == 210_000 && info.st_gid == 210_000)
        try await runner.release(key)
    }

    @Test func aTaskWithoutAnImageIsRefusedSayingWhy() async throws {
        let fixture = try RunnerFixture("userns-host", userNamespace: Self.mapping)
        defer { fixture.finish() }
        let runner = try fixture.runner()
        let launched = await runner.launch(RunnerFixture.launch("host", .shell("true"), image: nil))
        guard case .failure(let end) = launched else {
            Issue.record("a task without an image ran though the agent uses a user namespace")
            return
        }
        #expect(end.state == .error && end.message.contains("--userns") && end.message.contains("image"), "\(end)")
    }
}
