import CorralContainer
import Foundation
import Testing

/// A unique state root and id per test, with the leftover check every test ends with.
struct TestSandbox {
    let id: String
    let root: String

    init(_ label: String) throws {
        id = "t\(label)-\(UUID().uuidString.prefix(8).lowercased())"
        root = NSTemporaryDirectory() + "corral-test-\(id)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// A busybox rootfs shared by the tests (built once, reused across runs: it only reads).
    static let busybox: Result<BusyboxLayerSourceDouble, any Error> = Result {
        try BusyboxLayerSourceDouble(directory: NSTemporaryDirectory() + "corral-test-busybox")
    }

    /// The single lower directory of the busybox image.
    func busyboxLayers() throws -> [String] {
        try TestSandbox.busybox.get().lowerDirectories(forImage: "busybox")
    }

    var paths: ContainerPaths { ContainerPaths(root: root, id: id) }

    /// A spec on the busybox overlay.
    func spec(_ arguments: [String], configure: (inout LaunchSpec) -> Void = { _ in }) throws -> LaunchSpec {
        var spec = LaunchSpec(
            id: id,
            rootfs: .overlay(lowerDirectories: try busyboxLayers()),
            arguments: arguments
        )
        configure(&spec)
        return spec
    }

    func stdout() -> String { (try? String(contentsOfFile: paths.stdout, encoding: .utf8)) ?? "" }
    func stderr() -> String { (try? String(contentsOfFile: paths.stderr, encoding: .utf8)) ?? "" }

    /// Nothing named with this id is left in mounts, cgroups or processes; removes the root.
    func expectNothingLeft(sourceLocation: SourceLocation = #_sourceLocation) {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        #expect(!mounts.contains(id), "a mount is left", sourceLocation: sourceLocation)
        // Every hierarchy, not only the ones a container uses: /sys/fs/cgroup/*/corral/<id>.
        let hierarchies = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
        for hierarchy in hierarchies {
            let path = "/sys/fs/cgroup/\(hierarchy)/corral/\(id)"
            #expect(
                !FileManager.default.fileExists(atPath: path),
                "cgroup left: \(path)",
                sourceLocation: sourceLocation
            )
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Reads a FIFO to EOF, bounded by a generous timeout so a broken launch fails instead of hanging.
    static func readFIFO(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        try #require(fd >= 0)
        defer { close(fd) }
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            try #require(poll(&entry, 1, 10_000) == 1, "no writer within 10 s")
            let n = read(fd, &buffer, buffer.count)
            if n > 0 {
                text += String(decoding: buffer[0..<n], as: UTF8.self)
            } else if n == 0 && !text.isEmpty {
                return text
            }
        }
    }
}
