import ArgumentParser
import CorralContainer
import Foundation

/// `corral container logs [-f] NAME`: stdout to stdout, stderr to stderr.
struct ContainerLogs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a container's output.",
        discussion: "Example: corral container logs -f web"
    )

    @OptionGroup var root: StateRootOptions
    @Flag(name: .shortAndLong, help: "Keep printing new output until the container exits.") var follow = false
    @Argument var name: String

    func run() throws {
        let store = root.store
        let record = try store.find(name)
        let paths = store.paths(for: record.id)
        let out = LogFollower(path: paths.stdout, target: FileHandle.standardOutput)
        let err = LogFollower(path: paths.stderr, target: FileHandle.standardError)
        out.printRotated()
        err.printRotated()
        out.pump()
        err.pump()
        guard follow else { return }
        // Following a file has no event to wait on short of inotify; poll it.
        while (try? store.reconciled(store.load(id: record.id)))?.isRunning ?? false {
            usleep(100_000)
            out.pump()
            err.pump()
        }
        out.pump()
        err.pump()
    }
}

/// Copies what was appended to a log file since the last call, across rotations.
final class LogFollower {
    let path: String
    let target: FileHandle
    private var handle: FileHandle?
    private var inode: UInt64 = 0

    init(path: String, target: FileHandle) {
        self.path = path
        self.target = target
    }

    /// Prints the rotated file (`<path>.1`) once, before the current one.
    func printRotated() {
        if let data = FileManager.default.contents(atPath: path + ".1") { target.write(data) }
    }

    /// Prints new bytes; reopens when the file was rotated.
    func pump() {
        let currentInode =
            (try? FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64) ?? 0
        if handle == nil || (currentInode != 0 && currentInode != inode) {
            if let handle { target.write(handle.readDataToEndOfFile()) }
            handle = FileHandle(forReadingAtPath: path)
            inode = currentInode
        }
        if let handle { target.write(handle.readDataToEndOfFile()) }
    }
}
