import CorralTestSupport
import Foundation
import Testing

@testable import CorralContainer

extension ImageBuildCommandTests {
    typealias Run = CombinedOutput.Run

    static func corral(_ arguments: [String]) throws -> Run { try CombinedOutput.corral(arguments) }

    /// A state root with the busybox image, and a build context; both removed by `remove()`.
    struct Workspace {
        let sandbox: TestSandbox
        let context: String
        var root: [String] { ["--root", sandbox.root] }

        init(_ label: String) throws {
            sandbox = try TestSandbox(label)
            context = sandbox.root + "/context"
            try FileManager.default.createDirectory(atPath: context, withIntermediateDirectories: true)
            let imported = try ImageBuildCommandTests.corral(
                ["image", "import-rootfs", "busybox", try TestSandbox.busybox.get().directory] + root
            )
            try #require(imported.status == 0, "\(imported.output)")
        }

        func write(_ relative: String, _ text: String) throws {
            let path = context + "/" + relative
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent,
                withIntermediateDirectories: true
            )
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }

        func build(_ extra: [String] = []) throws -> Run {
            try ImageBuildCommandTests.corral(["image", "build"] + root + extra + [context])
        }

        /// Nothing of a build is left: no mount under the root, no build cgroup, no step directory.
        func expectNothingLeft(sourceLocation: SourceLocation = #_sourceLocation) {
            let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
            #expect(
                !mounts.contains(sandbox.root),
                "a mount is left: \(mounts)",
                sourceLocation: sourceLocation
            )
            for hierarchy in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
                let corral = "/sys/fs/cgroup/\(hierarchy)/corral"
                let left = ((try? FileManager.default.contentsOfDirectory(atPath: corral)) ?? []).filter {
                    $0.hasPrefix("build-")
                }
                #expect(left.isEmpty, "cgroups left in \(corral): \(left)", sourceLocation: sourceLocation)
            }
            let steps = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.root + "/build")) ?? []
            #expect(steps.isEmpty, "step directories left: \(steps)", sourceLocation: sourceLocation)
        }

        func remove() { ScratchDirectoryRemover.remove(sandbox.root) }
    }

}

/// Removes a test's state root, detaching whatever a failed build left mounted under it first.
enum ScratchDirectoryRemover {
    static func remove(_ path: String) {
        MountTable.detachAll(under: path)
        try? FileManager.default.removeItem(atPath: path)
    }
}
