import CorralContainer
import Foundation
import Testing

@Suite("Bind mounts")
struct BindMountTests {
    @Test func aHostDirectoryIsMountedWritableOrReadOnlyAndLogsGoWhereAsked() throws {
        let sandbox = try TestSandbox("bind")
        defer { sandbox.expectNothingLeft() }
        let shared = sandbox.root + "/shared"
        let logs = sandbox.root + "/logs"
        for directory in [shared, logs] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let script = "echo in > /data/rw/file; cat /data/rw/file; echo x > /data/ro/other || echo refused"
        let spec = try sandbox.spec(["sh", "-c", script]) {
            $0.bindMounts = [
                BindMount(source: shared, target: "/data/rw"),
                BindMount(source: shared, target: "/data/ro", readOnly: true),
            ]
            $0.logDirectory = logs
        }
        let exit = try Container(spec: spec, paths: sandbox.paths).run()
        #expect(exit.status == .exited(0))
        #expect(try String(contentsOfFile: shared + "/file", encoding: .utf8) == "in\n")
        #expect(!FileManager.default.fileExists(atPath: shared + "/other"))
        #expect(try String(contentsOfFile: logs + "/stdout", encoding: .utf8) == "in\nrefused\n")
        #expect(sandbox.stdout().isEmpty, "nothing goes to the container's own directory")
    }

    @Test func aSymlinkInTheImageCannotRedirectATarget() throws {
        let sandbox = try TestSandbox("bindlink")
        defer { sandbox.expectNothingLeft() }
        // An image layer whose /mnt points elsewhere: the target must not follow it.
        let layer = sandbox.root + "/layer"
        try FileManager.default.createDirectory(atPath: layer, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: layer + "/mnt", withDestinationPath: "/tmp")
        let busybox = try sandbox.busyboxLayers()
        let spec = try sandbox.spec(["true"]) {
            $0.rootfs = .overlay(lowerDirectories: [layer] + busybox)
            $0.bindMounts = [BindMount(source: sandbox.root, target: "/mnt/sandbox")]
        }
        #expect {
            try Container(spec: spec, paths: sandbox.paths).run()
        } throws: { error in
            "\(error)".contains("symlink")
        }
    }
}
