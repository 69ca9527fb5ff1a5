import Foundation

/// A root filesystem built from the host's static busybox (`/bin/busybox`, Debian's
/// busybox-static): `bin/` with busybox and its applet links, the usual empty directories,
/// and an `/etc/passwd`. Building again over an existing one only fills in what is missing.
/// The tests and `corral bench tasks` make their busybox image from it.
public enum BusyboxRootfs {
    /// Builds (or completes) the rootfs under `directory`; `passwd` becomes `/etc/passwd`.
    /// Throws a `ContainerError` (`.invalidArgument`) when the host has no `/bin/busybox`.
    public static func build(at directory: String, passwd: String = "root:x:0:0:root:/root:/bin/sh\n") throws {
        let fileManager = FileManager.default
        guard fileManager.isExecutableFile(atPath: "/bin/busybox") else {
            throw ContainerError(
                .invalidArgument, stage: "build a busybox rootfs from the host's /bin/busybox",
                cause: "it is missing; install a static busybox (Debian: apt-get install busybox-static)")
        }
        for sub in ["bin", "proc", "dev", "sys", "tmp", "etc", "root"] {
            try fileManager.createDirectory(atPath: "\(directory)/\(sub)", withIntermediateDirectories: true)
        }
        let busybox = "\(directory)/bin/busybox"
        if !fileManager.fileExists(atPath: busybox) {
            try fileManager.copyItem(atPath: "/bin/busybox", toPath: busybox)
        }
        for applet in try applets() where applet != "busybox" {
            let link = "\(directory)/bin/\(applet)"
            if (try? fileManager.destinationOfSymbolicLink(atPath: link)) == nil {
                try fileManager.createSymbolicLink(atPath: link, withDestinationPath: "busybox")
            }
        }
        try passwd.write(toFile: "\(directory)/etc/passwd", atomically: true, encoding: .utf8)
    }

    /// `busybox --list`.
    private static func applets() throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/busybox")
        process.arguments = ["--list"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.runWithoutInheritedFiles()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
