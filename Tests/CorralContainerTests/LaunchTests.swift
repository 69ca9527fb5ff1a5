import CorralContainer
import Foundation
import Testing

@Suite("Launch")
struct LaunchTests {
    @Test func runsOnBusyboxOverlayWithItsOwnHostname() throws {
        let sandbox = try TestSandbox("host")
        defer { sandbox.expectNothingLeft() }
        let container = Container(
            spec: try sandbox.spec(["sh", "-c", "hostname; echo to-stderr >&2; exit 3"]) {
                $0.hostname = "box1"
            },
            paths: sandbox.paths
        )
        let exit = try container.run()
        #expect(exit.status == .exited(3))
        #expect(sandbox.stdout() == "box1\n")
        #expect(sandbox.stderr() == "to-stderr\n")
    }
}
