import CorralContainer
import Foundation

/// A `LayerSource` for tests: one lower directory holding Debian's static busybox
/// and its applet links, standing in for the OCI image store.
struct BusyboxLayerSourceDouble: LayerSource {
    /// The rootfs directory returned as the only layer.
    let directory: String

    /// Builds the rootfs under `directory` from `/bin/busybox`.
    init(directory: String) throws {
        self.directory = directory
        let fileManager = FileManager.default
        for sub in ["bin", "proc", "dev", "sys", "tmp", "etc", "root"] {
            try fileManager.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
        let busybox = "\(directory)/bin/busybox"
        if !fileManager.fileExists(atPath: busybox) {
            try fileManager.copyItem(atPath: "/bin/busybox", toPath: busybox)
        }
        for applet in try Self.applets() where applet != "busybox" {
            let link = "\(directory)/bin/\(applet)"
            if (try? fileManager.destinationOfSymbolicLink(atPath: link)) == nil {
                try fileManager.createSymbolicLink(atPath: link, withDestinationPath: "busybox")
            }
        }
        try "root:x:0:0:root:/root:/bin/sh\n".write(
            toFile: "\(directory)/etc/passwd",
            atomically: true,
            encoding: .utf8
        )
    }

    func lowerDirectories(forImage reference: String) throws -> [String] { [directory] }

    /// `busybox --list`.
    private static func applets() throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/busybox")
        process.arguments = ["--list"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
