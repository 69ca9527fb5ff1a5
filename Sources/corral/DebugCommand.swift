import ArgumentParser
import CorralStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Hidden commands that tests use to drive real processes.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Hidden helpers for tests.",
        shouldDisplay: false,
        subcommands: [StoreCrashWriter.self, StoreCheck.self, StatePowerLossWriter.self, StatePowerLossCheck.self]
    )
}

extension DebugCommand {
    /// Writes entries one durable transaction at a time and prints each key after its commit
    /// returns, until killed; a crash test kills it and checks every printed key survived.
    struct StoreCrashWriter: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store-crash-writer",
            abstract: "Write acknowledged entries to a store until killed."
        )

        @Option(help: "The environment directory.")
        var path: String

        @Option(help: "Stop after this many entries.")
        var count: UInt64 = .max

        @Option(help: "Bytes per value.")
        var valueBytes: Int = 512

        @Option(help: "How each commit is made: full or atomic-only.")
        var durability: Durability = .full

        @Option(help: "After printing this key, print `paused` and wait until killed.")
        var pauseAfter: UInt64 = .max

        /// `StoreDurability` as an option value.
        enum Durability: String, ExpressibleByArgument {
            case full
            case atomicOnly = "atomic-only"

            var store: StoreDurability { self == .full ? .full : .atomicOnly }
        }

        func run() throws {
            let environment = try StoreEnvironment(path: path)
            let database = try environment.openDatabase(Self.databaseName)
            var key: UInt64 = 0
            while key < count {
                let value = Self.value(for: key, bytes: valueBytes)
                try environment.write(durability: durability.store) { txn in
                    try txn.put(value, for: BigEndianKey.encode(key), in: database)
                }
                try DebugCommand.writeLine("\(key)")
                if key == pauseAfter {
                    try DebugCommand.writeLine("paused")
                    while true { pause() }
                }
                key += 1
            }
        }

        /// The database the writer fills.
        static let databaseName = "crash"

        /// The value stored under `key`: deterministic, so a reader can check it.
        static func value(for key: UInt64, bytes: Int) -> [UInt8] {
            (0..<bytes).map { UInt8(truncatingIfNeeded: key &+ UInt64($0)) }
        }
    }
}

extension DebugCommand {
    /// Reads every record a `store-crash-writer` left and prints each key whose value is the
    /// one the writer stored, or `damaged <key bytes>` for any other record.
    struct StoreCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "store-check",
            abstract: "Read back what store-crash-writer wrote."
        )

        @Option(help: "The environment directory.")
        var path: String

        @Option(help: "Bytes per value, as given to the writer.")
        var valueBytes: Int = 512

        func run() throws {
            let environment = try StoreEnvironment(path: path)
            let database = try environment.openDatabase(StoreCrashWriter.databaseName, flags: [])
            let records = try environment.read { txn in try txn.records(in: database) }
            for record in records {
                if let key = BigEndianKey.decode(record.key), record.value == StoreCrashWriter.value(for: key, bytes: valueBytes) {
                    try DebugCommand.writeLine("\(key)")
                } else {
                    try DebugCommand.writeLine("damaged \(record.key)")
                }
            }
        }
    }

    /// Writes `line` and a newline straight to stdout (no buffering), retrying on EINTR, so a
    /// line printed before a kill is never lost in a buffer.
    static func writeLine(_ line: String) throws {
        let bytes = Array((line + "\n").utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(STDOUT_FILENO, buffer.baseAddress?.advanced(by: written), buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw DebugCommandError(operation: "write(stdout)", errno: errno)
            }
            written += result
        }
    }
}

/// A debug command's failure: the operation and the errno it failed with.
struct DebugCommandError: Error, CustomStringConvertible {
    var operation: String
    var errno: Int32

    var description: String { "\(operation) failed: \(String(cString: strerror(errno)))" }
}
