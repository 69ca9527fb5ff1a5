import Foundation

/// Finds the built `corral` executable for tests that run it as a child process.
public enum CorralBinary {
    public struct Missing: Error, CustomStringConvertible {
        public var searched: [String]
        public var description: String {
            "the corral executable was not found (build it with `swift build --product corral`); searched: "
                + searched.joined(separator: ", ")
        }
    }

    /// `$CORRAL_BINARY`, else the first `corral` file next to the test bundle or in a
    /// directory above it (`.build/debug/corral`).
    public static func locate() throws -> String {
        if let override = ProcessInfo.processInfo.environment["CORRAL_BINARY"] { return override }
        let starts = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            Bundle.main.bundleURL.resolvingSymlinksInPath(),
        ]
        var searched: [String] = []
        for start in starts {
            var directory = start
            while directory.path != "/" {
                for candidate in [directory.appendingPathComponent("corral"), directory.appendingPathComponent("debug/corral")] {
                    searched.append(candidate.path)
                    if isExecutableFile(candidate.path) { return candidate.path }
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw Missing(searched: searched)
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
