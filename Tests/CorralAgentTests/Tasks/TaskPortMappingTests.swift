import CorralAgent
import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// A task whose container names a network runs on the bridge with its `port_mappings`
/// published, as Mesos's port-mapping isolator does: the runner's supervisors run `corral`
/// inside a network namespace of the test's own, where the bridge and its rules live.
@Suite(.enabled(if: geteuid() == 0, "containers need root"), .offCooperativePool)
struct TaskPortMappingTests {
    @Test func aTasksPortMappingAnswersOnItsHostPortAndGoesWithIt() async throws {
        let namespace = try TestNetworkNamespace()
        defer { namespace.remove() }
        let base = try RunnerFixture("ports")
        var configuration = base.configuration
        configuration.corralExecutable = try namespace.corralWrapper(in: base.workDirectory)
        let runner = try TaskRunner(configuration: configuration)
        defer { base.finish() }
        var launch = RunnerFixture.launch(
            "web", .shell("mkdir -p /www && echo from-$MESOS_TASK_ID > /www/index.html && exec httpd -f -p 80 -h /www"))
        launch.task.resources += [.ranges("ports", Ranges(31000...31000))]
        launch.task.container?.networkInfos = [NetworkInfo(name: "corral", portMappings: [.init(hostPort: 31000, containerPort: 80)])]
        let running = try await runner.launch(launch).get()
        var fetched = try namespace.run(["busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:31000/"])
        for _ in 0..<100 where fetched.status != 0 {
            try await Task.sleep(for: .milliseconds(50))
            fetched = try namespace.run(["busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:31000/"])
        }
        #expect(fetched.output.contains("from-web"), "\(fetched.output)")
        #expect(try namespace.portRules().contains("--dport 31000"))

        try await runner.kill(running.key, grace: .zero)
        let (key, _) = try await RunnerFixture.nextEnd(runner)
        try await runner.release(key)
        #expect(!(try namespace.portRules().contains("31000")), "the port goes with the task")
        #expect(namespace.leases().isEmpty, "\(namespace.leases())")
    }
}
