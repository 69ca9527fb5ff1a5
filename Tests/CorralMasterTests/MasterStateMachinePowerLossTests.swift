import CorralModel
import CorralRaft
import CorralReplication
import CorralStore
import CorralTestSupport
import Foundation
import Testing

@testable import CorralMaster

/// Power loss under a replica's state: a child process (`corral debug state-power-loss-writer`)
/// appends entries to a Raft log, applies them to a `MasterStateMachine`, acknowledges them,
/// and now and then syncs the state and compacts the log behind it, all under the
/// `CPowerLossDouble` LD_PRELOAD double, which journals every write and sync. The test kills
/// it (SIGKILL keeps the page cache, so that alone proves nothing), then loses power in copies
/// of its files: it undoes none, all, or seeded random subsets of the writes not yet synced.
/// Each copy must open undamaged, hold exactly the state of its applied index, and, with the
/// log replayed, hold every acknowledged write. Damaged environments are read by child
/// processes first (`state-power-loss-check`), so a crash inside LMDB fails the test, not the runner.
@Suite("MasterStateMachine power loss", .serialized)
struct MasterStateMachinePowerLossTests {
    /// One writer run: where it stops, and how often it syncs and compacts.
    struct Run: Sendable, CustomStringConvertible {
        var pauseAfter: UInt64
        var syncEvery: UInt64
        /// The store is written after every this many batches; the others stay in memory.
        var storeEvery: UInt64 = 1
        var description: String {
            "writer paused after \(pauseAfter), syncing every \(syncEvery), storing every \(storeEvery) batches"
        }
    }

    /// Which unsynced writes the power loss undoes.
    enum Loss: CustomStringConvertible {
        case none
        case all
        case random(seed: UInt64)

        var description: String {
            switch self {
            case .none: "no unsynced write lost"
            case .all: "every unsynced write lost"
            case .random(let seed): "a random subset lost (seed \(seed))"
            }
        }

        func choose(from unsynced: [Int]) -> Set<Int> {
            switch self {
            case .none: return []
            case .all: return Set(unsynced)
            case .random(let seed):
                var rng = SplitMix64(seed: seed)
                return Set(unsynced.filter { _ in rng.next() & 1 == 1 })
            }
        }
    }

    static let runs = [
        Run(pauseAfter: 150, syncEvery: 50), Run(pauseAfter: 290, syncEvery: 64), Run(pauseAfter: 70, syncEvery: 64, storeEvery: 5),
    ]
    static let losses: [Loss] = [.none, .all] + (1...6).map { .random(seed: $0) }
    static let commandCount = 400

    /// Registry commands (agents, frameworks, launches, updates) among key-value puts and
    /// deletes of many sizes, some large enough for LMDB overflow pages.
    static func command(_ index: Int) -> [UInt8] {
        let at = UInt64(index)
        switch index % 10 {
        case 1: return RegistryCommand.admitAgent(info: Fixture.agentInfo("a\(index)"), atNanos: at).encoded
        case 2: return RegistryCommand.subscribeFramework(info: Fixture.frameworkInfo("f\(index)"), atNanos: at).encoded
        case 5:
            let agent = "a\(index - 4)"
            return Fixture.launch("f\(index - 3)", on: agent, [Fixture.taskInfo("t\(index)", on: agent)], at: at).encoded
        case 7:
            return Fixture.update("f\(index - 5)", "t\(index - 2)", .running, uuid: UInt8(truncatingIfNeeded: index), at: at).encoded
        default:
            let key = Array("k/\(index % 37)".utf8)
            if index % 13 == 0 { return KeyValueStateMachine.Command.delete(key: key).encoded }
            let value = (0..<(100 + index * 131 % 3_000)).map { UInt8(truncatingIfNeeded: index &+ $0) }
            return KeyValueStateMachine.Command.put(key: key, value: value).encoded
        }
    }

    @Test("after a power loss the state opens undamaged, matches its applied index, and the log recovers every acknowledged write",
          arguments: runs)
    func powerLoss(run: Run) throws {
        let binary = try CorralBinary.locate()
        let double = try PowerLossJournal.locateDouble()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let commandsPath = scratch.path + "/commands"
        var file: [UInt8] = []
        for index in 1...Self.commandCount {
            let command = Self.command(index)
            file += withUnsafeBytes(of: UInt32(command.count).littleEndian, Array.init) + command
        }
        #expect(FileManager.default.createFile(atPath: commandsPath, contents: Data(file)))

        let writerDirectory = scratch.path + "/writer"
        try FileManager.default.createDirectory(atPath: writerDirectory, withIntermediateDirectories: true)
        let journalPath = scratch.path + "/journal"
        let writer = try ChildProcess.run(
            binary,
            [
                "debug", "state-power-loss-writer", "--state", writerDirectory + "/state", "--log", writerDirectory + "/log",
                "--commands", commandsPath, "--sync-every", "\(run.syncEvery)", "--pause-after", "\(run.pauseAfter)",
                "--store-every", "\(run.storeEvery)",
            ],
            environment: PowerLossJournal.childEnvironment(double: double, directory: writerDirectory, journal: journalPath),
            killWhenPrinted: "paused", scratch: scratch.path)
        guard writer.lines.last == "paused", writer.signaled, writer.status == SIGKILL else {
            Issue.record("\(run): the writer did not reach its pause: \(writer.summary)")
            return
        }
        let lastAcknowledged = writer.lines.compactMap(Self.index(after: "acknowledged ")).max() ?? 0

        let journal = try PowerLossJournal(contentsOf: journalPath)
        #expect(journal.unmodeled.isEmpty, "the double could not model: \(journal.unmodeled)")
        let unsynced = journal.unsynced
        var expected = ExpectedStates(directory: scratch.path + "/expected")
        for (number, loss) in Self.losses.enumerated() {
            let lost = loss.choose(from: unsynced)
            let context = "\(run); \(loss): \(lost.count) of \(unsynced.count) unsynced writes undone; last acknowledged \(lastAcknowledged)"
            let copy = scratch.path + "/loss-\(number)"
            try FileManager.default.copyItem(atPath: writerDirectory, toPath: copy)
            try journal.losePower(undoing: lost, from: writerDirectory, to: copy)
            try check(copy, binary: binary, lastAcknowledged: lastAcknowledged, expected: &expected, context: context)
            try FileManager.default.removeItem(atPath: copy)
        }
    }

    /// Opens one copy after the power loss in a child, compares it with the state expected at
    /// its applied index, replays the log in a child, and compares again.
    private func check(
        _ copy: String, binary: String, lastAcknowledged: UInt64, expected: inout ExpectedStates, context: String
    ) throws {
        let arguments = ["debug", "state-power-loss-check", "--state", copy + "/state", "--log", copy + "/log"]
        let opened = try ChildProcess.run(binary, arguments, scratch: copy)
        guard !opened.signaled, opened.status == 0, let applied = opened.lines.first.flatMap(Self.index(after: "applied ")) else {
            Issue.record("\(context): the state did not open after the power loss: \(opened.summary)")
            return
        }
        try compare(copy, with: expected.state(at: applied), context: "\(context); state at applied index \(applied)")

        let replayed = try ChildProcess.run(binary, arguments + ["--replay"], scratch: copy)
        guard !replayed.signaled, replayed.status == 0, let recovered = replayed.lines.last.flatMap(Self.index(after: "replayed ")) else {
            Issue.record("\(context): the log could not bring the state from \(applied) up to date: \(replayed.summary)")
            return
        }
        #expect(recovered >= lastAcknowledged, "\(context): recovered up to \(recovered) only")
        try compare(copy, with: expected.state(at: recovered), context: "\(context); state replayed to \(recovered)")
    }

    private func compare(_ copy: String, with expected: ExpectedStates.State, context: String) throws {
        let machine = try MasterStateMachine(environment: StoreEnvironment(path: copy + "/state"))
        let stored = try machine.storedRecords()
        #expect(machine.registry == expected.registry, "\(context): the registry differs")
        #expect(stored.values == expected.values, "\(context): the key-value records differ")
        #expect(stored.registryKeys == expected.registryKeys, "\(context): the registry records differ")
    }

    private static func index(after prefix: String) -> (String) -> UInt64? {
        { line in
            guard line.hasPrefix(prefix) else { return nil }
            return line.dropFirst(prefix.count).split(separator: " ").first.flatMap { UInt64($0) }
        }
    }
}

/// The state a replica holds after applying the first `n` commands, made by applying them to a
/// fresh state machine that never lost power.
struct ExpectedStates {
    struct State {
        var registry: Registry
        var values: [StoreRecord]
        var registryKeys: [[UInt8]]
    }

    let directory: String
    private var made = 0

    init(directory: String) { self.directory = directory }

    mutating func state(at index: UInt64) throws -> State {
        made += 1
        let machine = try MasterStateMachine(environment: StoreEnvironment(path: "\(directory)-\(made)"))
        if index > 0 {
            let entries = (1...index).map {
                Entry(term: 1, index: $0, payload: .command(MasterStateMachinePowerLossTests.command(Int($0))))
            }
            _ = try machine.apply(entries)
        }
        let stored = try machine.storedRecords()
        return State(registry: machine.registry, values: stored.values, registryKeys: stored.registryKeys)
    }
}
