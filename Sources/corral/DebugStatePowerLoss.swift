import ArgumentParser
import CorralMaster
import CorralRaft
import CorralReplication
import CorralStore
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DebugCommand {
    /// Applies commands through a Raft log and a master state machine the way a replica does
    /// (append durably, apply, acknowledge; every so often sync the state and compact the log
    /// behind it), printing `acknowledged <index>` after each batch. A power-loss test kills it
    /// and undoes the writes that were not synced.
    struct StatePowerLossWriter: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "state-power-loss-writer",
            abstract: "Apply acknowledged commands to a master state until killed."
        )

        @Option(help: "The state machine's environment directory.")
        var state: String

        @Option(help: "The Raft log's environment directory.")
        var log: String

        @Option(help: "A file of commands, each a 4-byte little-endian length and the command's bytes.")
        var commands: String

        @Option(help: "Sync the state and compact the log behind it after this many entries.")
        var syncEvery: UInt64 = 40

        @Option(help: "After acknowledging this index or a later one, print `paused` and wait until killed.")
        var pauseAfter: UInt64 = .max

        @Option(help: "Write the state's store after every this many batches only, keeping the others in memory, as a master's store interval does.")
        var storeEvery: UInt64 = 1

        func run() throws {
            let commands = try Self.readCommands(at: self.commands)
            let storage = try LMDBRaftLogStorage(directory: log)
            let machine = try MasterStateMachine(
                environment: StoreEnvironment(path: state), storeInterval: storeEvery > 1 ? .seconds(86_400) : .zero)
            var synced = try machine.appliedIndex()
            var next = synced + 1
            var batches: UInt64 = 0
            while next <= UInt64(commands.count) {
                let last = min(next + next % 4, UInt64(commands.count))
                let batch = (next...last).map { Entry(term: 1, index: $0, payload: .command(commands[Int($0) - 1])) }
                // Committed entries are durable in the log before they are applied.
                try storage.write(RaftWriteBatch(hardState: HardState(term: 1, vote: 1, commit: last), entries: batch))
                _ = try machine.apply(batch)
                batches += 1
                if batches % storeEvery == 0 { try machine.store() }
                try DebugCommand.writeLine("acknowledged \(last)")
                if last - synced >= syncEvery {
                    // A compaction point, as RaftServer makes one: a synced state, a snapshot of
                    // metadata only, and no log behind it.
                    try machine.sync()
                    let metadata = SnapshotMetadata(index: last, term: 1, membership: Membership(voters: [1]))
                    try storage.write(RaftWriteBatch(snapshot: Snapshot(metadata: metadata, data: [])))
                    try storage.compact(through: last)
                    synced = last
                    try DebugCommand.writeLine("compacted \(last)")
                }
                if last >= pauseAfter {
                    try DebugCommand.writeLine("paused")
                    while true { pause() }
                }
                next = last + 1
            }
        }

        /// The commands in `path`: a 4-byte little-endian length, then that many bytes, repeated.
        static func readCommands(at path: String) throws -> [[UInt8]] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read the commands file \(path)")
            }
            let bytes = [UInt8](data)
            var commands: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                guard offset + 4 <= bytes.count else { throw ValidationError("\(path): a length is cut short at byte \(offset)") }
                let length = (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
                offset += 4
                guard offset + length <= bytes.count else {
                    throw ValidationError("\(path): a command of \(length) bytes is cut short at byte \(offset)")
                }
                commands.append(Array(bytes[offset..<offset + length]))
                offset += length
            }
            return commands
        }
    }

    /// Opens a master state and its Raft log as a restarting replica does, reads every record
    /// (a damaged environment fails here, in this process, not in the test runner), and with
    /// `--replay` applies the log entries after the applied index. Prints what it found.
    struct StatePowerLossCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "state-power-loss-check",
            abstract: "Check a master state and its Raft log after a power loss."
        )

        @Option(help: "The state machine's environment directory.")
        var state: String

        @Option(help: "The Raft log's environment directory.")
        var log: String

        @Flag(help: "Apply the log's entries after the state's applied index.")
        var replay = false

        func run() throws {
            let environment = try StoreEnvironment(path: state)
            let machine = try MasterStateMachine(environment: environment)
            let applied = try machine.appliedIndex()
            let records = try Self.readEverything(environment)
            try DebugCommand.writeLine("applied \(applied) records \(records)")
            let storage = try LMDBRaftLogStorage(directory: log)
            let persisted = try storage.load()
            let snapshotIndex = persisted.snapshot?.metadata.index ?? 0
            try DebugCommand.writeLine(
                "log snapshot \(snapshotIndex) entries \(persisted.entries.first?.index ?? 0)...\(persisted.entries.last?.index ?? 0)")
            guard replay else { return }
            guard applied >= snapshotIndex else {
                throw ValidationError("the state is at \(applied) but the log was compacted through \(snapshotIndex): entries \(applied + 1)...\(snapshotIndex) are lost")
            }
            let pending = persisted.entries.filter { $0.index > applied }
            if let first = pending.first, first.index != applied + 1 {
                throw ValidationError("the state is at \(applied) but the log resumes at \(first.index)")
            }
            _ = try machine.apply(pending)
            let replayed = try machine.appliedIndex()
            try DebugCommand.writeLine("replayed \(replayed) records \(try Self.readEverything(environment))")
        }

        /// Reads every byte of every record of the databases a `MasterStateMachine` keeps, so
        /// a damaged page is met here; returns the record count and a sum of the bytes.
        static func readEverything(_ environment: StoreEnvironment) throws -> String {
            let databases = try ["kv", "registry", "meta"].map { try environment.openDatabase($0, flags: []) }
            return try environment.read { txn in
                var count = 0
                var sum: UInt64 = 0
                for database in databases {
                    try txn.scan(in: database) { key, value in
                        count += 1
                        for byte in key { sum &+= UInt64(byte) }
                        for byte in value { sum &+= UInt64(byte) }
                        return true
                    }
                }
                return "\(count) sum \(sum)"
            }
        }
    }
}
