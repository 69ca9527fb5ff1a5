import CorralAgent
import Foundation

/// Valid inputs of the limit and hostile-input targets, and the sandbox `files-request` serves.
enum LimitSeeds {
    /// The virtual path the fuzzed sandbox is attached as.
    static let virtual = "/frameworks/f1/executors/e1/runs/latest"

    static let files = [
        "/files/read?path=\(virtual)/stdout&offset=0&length=5",
        "/files/read.json?path=\(virtual)/sub/file&offset=-1",
        "/files/browse?path=\(virtual)",
        "/files/browse.json?path=\(virtual)/sub",
        "/files/download?path=\(virtual)/stdout",
        "/files/read?path=\(virtual)/inside&offset=2",
    ]

    static let maxBlobBytes: Int64 = 1 << 20

    static let uploads = [
        "0-99|100|100\n100-199|100|100",
        "||500",
        "|1000|1000\n||24",
        "bytes 0-1023|1024|1024",
    ]

    static let routes = [
        "/v2/library/alpine/manifests/latest",
        "/v2/library/alpine/manifests/sha256:" + String(repeating: "ab", count: 32),
        "/v2/a/b/c/blobs/sha256:" + String(repeating: "0f", count: 32),
        "/v2/app/blobs/uploads/",
        "/v2/app/blobs/uploads/123e4567-e89b-12d3-a456-426614174000",
        "/v2/app/tags/list",
        "/v2/_catalog",
    ]

    static let limits = [
        "[limits]\nmax_body_bytes = 2048\nrequests_per_second = 5\nburst = 3\n",
        "[limits]\nscheduler_max_body_bytes = 65536\noperator_max_body_bytes = 4096\nagent_max_body_bytes = 1048576\n"
            + "max_scheduler_subscribers = 2\nmax_operator_subscribers = 0\nmax_connections = 10\n"
            + "header_timeout_seconds = 0.5\nbody_timeout_seconds = 2\n",
        "[limits]\nrequests_per_second = 0.001\n",
    ]

    /// A sandbox under `scratch` attached as `virtual` (files, a directory, a symlink inside),
    /// with symlinks out of it to `/`, to a neighbouring task's sandbox and to a secret.
    static func sandbox(in scratch: String) throws -> (files: SandboxFiles, root: String) {
        let manager = FileManager.default
        let root = scratch + "/work/t1"
        let other = scratch + "/work/t2"
        try manager.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("hello sandbox\n".utf8).write(to: URL(fileURLWithPath: root + "/stdout"))
        try Data("inner".utf8).write(to: URL(fileURLWithPath: root + "/sub/file"))
        try Data("other task".utf8).write(to: URL(fileURLWithPath: other + "/stdout"))
        try Data("secret".utf8).write(to: URL(fileURLWithPath: scratch + "/secret"))
        try manager.createSymbolicLink(atPath: root + "/inside", withDestinationPath: "sub/file")
        try manager.createSymbolicLink(atPath: root + "/root", withDestinationPath: "/")
        try manager.createSymbolicLink(atPath: root + "/neighbour", withDestinationPath: other)
        try manager.createSymbolicLink(atPath: root + "/secret", withDestinationPath: "../../secret")
        let files = SandboxFiles()
        files.attach(root, as: virtual)
        return (files, SandboxFiles.realPath(root) ?? root)
    }
}
