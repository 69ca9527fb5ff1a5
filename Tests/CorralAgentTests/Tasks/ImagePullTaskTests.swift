import CorralAgent
import CorralContainer
import CorralModel
import CorralTestSupport
import Foundation
import Testing

/// Tasks naming an image the agent's store does not have: the runner pulls it from a real
/// `corral registry serve` on loopback, once however many tasks ask at the same moment, and
/// fails a task with the reason when the image or the registry is not there.
@Suite(.enabled(if: geteuid() == 0, "containers need root"), .offCooperativePool)
struct ImagePullTaskTests {
    /// A registry process on 127.0.0.1 with busybox pushed to it as `tools/busybox:1`.
    final class Registry {
        let process = Process()
        let root = NSTemporaryDirectory() + "corral-agent-registry-\(UUID().uuidString.prefix(8).lowercased())"
        var address = ""

        init() throws {
            process.executableURL = URL(fileURLWithPath: try CorralBinary.locate())
            process.arguments = ["registry", "serve", "--listen", "127.0.0.1:0", "--root", root]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.runWithoutInheritedFiles()
            // "registry listening on HOST:PORT (http); root DIR"
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                guard !byte.isEmpty else { break }
                line.append(byte)
            }
            let words = String(decoding: line, as: UTF8.self).split(separator: " ")
            guard words.count > 3, words[1] == "listening" else { throw ContainerError(.io, "the registry did not start: \(words)") }
            address = String(words[3])
            let source = try ImageStore(root: try RunnerFixture.imageRoot.get())
            var options = RegistryOptions(insecure: true)
            options.timeout = 20
            _ = try source.push("busybox", to: try ImageReference(parsing: "\(address)/tools/busybox:1"), options: options)
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    @Test func tasksPullTheirImageOnceAndRunIt() async throws {
        let registry = try Registry()
        defer { registry.stop() }
        let images = NSTemporaryDirectory() + "corral-agent-pulled-\(UUID().uuidString.prefix(8).lowercased())"
        defer { try? FileManager.default.removeItem(atPath: images) }
        let fixture = try RunnerFixture(
            "pull", imageRoot: images, imagePulls: ImagePullSettings(defaultRegistry: registry.address, insecure: true))
        defer { fixture.finish() }
        let runner = try fixture.runner()
        // Three tasks at once name it with its registry, a fourth by name on the default one.
        let named = "\(registry.address)/tools/busybox:1"
        let launched = await withTaskGroup(of: Result<RunningTask, TaskEnd>.self) { group in
            for index in 0..<3 {
                group.addTask { await runner.launch(RunnerFixture.launch("t\(index)", .shell("echo ran-$MESOS_TASK_ID"), image: named)) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for result in launched { _ = try result.get() }
        #expect(runner.imagePullsStarted == 1, "one pull for three tasks")
        _ = try await runner.launch(RunnerFixture.launch("t3", .shell("echo ran-$MESOS_TASK_ID"), image: "tools/busybox:1")).get()
        for _ in 0..<4 {
            let (key, end) = try await RunnerFixture.nextEnd(runner)
            #expect(end.state == .finished, "\(key): \(end)")
            try await runner.release(key)
        }
        for index in 0..<4 { #expect(fixture.stdout("t\(index)").contains("ran-t\(index)")) }
        #expect(try ImageStore(root: images).list().map(\.name).contains(named))

        // Not in the registry, or no registry there: the task fails, saying so.
        let missing = await runner.launch(RunnerFixture.launch("missing", .shell("true"), image: "\(registry.address)/tools/nope:1"))
        guard case .failure(let notFound) = missing else {
            Issue.record("a missing image launched")
            return
        }
        #expect(notFound.state == .failed && "\(notFound)".contains("could not be pulled"), "\(notFound)")
        #expect("\(notFound)".lowercased().contains("not found"), "\(notFound)")
        let unreachable = await runner.launch(RunnerFixture.launch("away", .shell("true"), image: "127.0.0.1:1/tools/busybox:1"))
        guard case .failure(let away) = unreachable else {
            Issue.record("an image from an unreachable registry launched")
            return
        }
        #expect("\(away)".contains("could not be pulled from 127.0.0.1:1"), "\(away)")
    }
}
