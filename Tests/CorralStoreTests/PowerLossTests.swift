import CorralStore
import CorralTestSupport
import Foundation
import Testing

/// What each `StoreDurability` promises across a power loss: a child process
/// (`corral debug store-crash-writer`) commits one key per transaction under the
/// `CPowerLossDouble` LD_PRELOAD double and prints each key once its commit returned; the test
/// kills it, undoes none, all, or seeded random subsets of the writes not yet synced, in copies
/// of the environment, and reads each copy in a child (`store-check`), so a damaged
/// environment fails the test and cannot crash the runner.
@Suite("CorralStore power loss", .serialized)
struct PowerLossTests {
    /// Which unsynced writes a power loss undoes: none, all, or seeded random subsets.
    /// Seed nil undoes nothing, seed 0 everything, any other a random subset.
    static let losses: [(name: String, seed: UInt64?)] =
        [("no unsynced write lost", nil), ("every unsynced write lost", 0)]
        + (1...6).map { ("random subset, seed \($0)", $0) }
    static let acknowledgementsBeforeKill: UInt64 = 60
    static let valueBytes = 700

    @Test("full commits survive power loss; atomic-only commits lose at most the last one and never damage the store",
          arguments: ["full", "atomic-only"])
    func powerLoss(durability: String) throws {
        let binary = try CorralBinary.locate()
        let double = try PowerLossJournal.locateDouble()
        try withTemporaryDirectory { dir in
            let writerDirectory = dir + "/writer"
            try FileManager.default.createDirectory(atPath: writerDirectory, withIntermediateDirectories: true)
            let journalPath = dir + "/journal"
            let writer = try ChildProcess.run(
                binary,
                [
                    "debug", "store-crash-writer", "--path", writerDirectory + "/env", "--value-bytes", "\(Self.valueBytes)",
                    "--durability", durability, "--pause-after", "\(Self.acknowledgementsBeforeKill)",
                ],
                environment: PowerLossJournal.childEnvironment(double: double, directory: writerDirectory, journal: journalPath),
                killWhenPrinted: "paused", scratch: dir)
            guard writer.lines.last == "paused", writer.signaled else {
                Issue.record("the writer did not reach its pause: \(writer.summary)")
                return
            }
            let acknowledged = UInt64(writer.lines.compactMap { UInt64($0) }.count)
            let journal = try PowerLossJournal(contentsOf: journalPath)
            #expect(journal.unmodeled.isEmpty, "the double could not model: \(journal.unmodeled)")
            let unsynced = journal.unsynced
            // A full commit is durable when it returns; an atomic-only one may be undone until
            // the next commit, so the last acknowledged key may go.
            let mustSurvive = durability == "full" ? acknowledged : acknowledged - 1
            for (number, loss) in Self.losses.enumerated() {
                var rng = SplitMix64(seed: loss.seed ?? 0)
                let lost: Set<Int> =
                    switch loss.seed {
                    case nil: []
                    case 0: Set(unsynced)
                    default: Set(unsynced.filter { _ in rng.next() & 1 == 1 })
                    }
                let context = "\(durability) commits, \(loss.name): \(lost.count) of \(unsynced.count) unsynced writes undone"
                let copy = dir + "/loss-\(number)"
                try FileManager.default.copyItem(atPath: writerDirectory, toPath: copy)
                try journal.losePower(undoing: lost, from: writerDirectory, to: copy)
                let check = try ChildProcess.run(
                    binary, ["debug", "store-check", "--path", copy + "/env", "--value-bytes", "\(Self.valueBytes)"], scratch: dir)
                guard !check.signaled, check.status == 0 else {
                    Issue.record("\(context): the environment could not be read: \(check.summary)")
                    continue
                }
                let keys = check.lines.compactMap { UInt64($0) }
                let damaged = check.lines.filter { UInt64($0) == nil }
                #expect(damaged.isEmpty, "\(context): damaged records: \(damaged.prefix(4))")
                #expect(keys == Array(0..<UInt64(keys.count)), "\(context): the keys are not a prefix of the writes")
                #expect(keys.count >= mustSurvive, "\(context): \(keys.count) keys survived, \(acknowledged) acknowledged")
                try FileManager.default.removeItem(atPath: copy)
            }
        }
    }
}
