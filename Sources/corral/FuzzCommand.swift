import ArgumentParser
import CorralFuzz
import Foundation

/// `corral fuzz TARGET`: a seeded mutation fuzzer for Corral's parsers of network and disk
/// input, run in a watched child so a crash or hang is reported with its input.
struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Fuzz a parser with seeded mutations of valid inputs; report crashes, hangs and runaway allocations.",
        discussion: """
            Examples: corral fuzz --list
                      corral fuzz raft-message --seconds 60 --seed 7
                      corral fuzz layer-tar --replay /tmp/corral-fuzz/layer-tar/crash-….input
            A thrown error is the parser refusing bad input; a trap, a hang (no progress for \
            --hang-seconds) or an allocation past --memory-mib is a finding: it is printed with \
            its seed and iteration, its input is saved, and the exit status is 1.
            """
    )

    @Argument(help: "The target (see --list).") var target: String?
    @Flag(help: "List the targets.") var list = false
    @Option(help: "How long to fuzz, in seconds (default 10 unless --iterations is given).") var seconds: Double?
    @Option(help: "How many inputs to run at most.") var iterations: UInt64?
    @Option(help: "The seed every input derives from (default: a random one, printed).") var seed: UInt64?
    @Option(help: "A directory whose files join the target's built-in seed inputs.") var corpus: String?
    @Option(help: "Where the progress file and saved findings go (default: $TMPDIR/corral-fuzz/TARGET).")
    var work: String?
    @Option(help: "Seconds without progress that count as a hang.") var hangSeconds: Double = 5
    @Option(help: "The worker's address-space limit in MiB.") var memoryMib: UInt64 = 2048
    @Option(help: "Run this one input in this process, to reproduce a finding.") var replay: String?
    @Flag(help: .hidden) var worker = false

    func run() throws {
        if list {
            for target in FuzzCatalog.available() { print("\(target.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(target.summary)") }
            return
        }
        guard let name = target else { throw ValidationError("name a target (corral fuzz --list shows them)") }
        let target = try FuzzCatalog.target(named: name)
        let workDirectory = work ?? (NSTemporaryDirectory() + "/corral-fuzz/\(name)")
        if let replay {
            guard let data = FileManager.default.contents(atPath: replay) else {
                throw ValidationError("cannot read --replay \(replay)")
            }
            let scratch = workDirectory + "/replay-\(getpid())"
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let refusal = try FuzzRunner.replay(target, [UInt8](data), scratch: scratch)
            print(refusal.map { "refused (fine): \($0)" } ?? "accepted")
            return
        }
        let seed = self.seed ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let seconds = self.seconds ?? (iterations == nil ? 10 : nil)
        if worker {
            let summary = try FuzzWorker.run(
                FuzzRunner(target: target, seed: seed, extraCorpus: try corpusFiles()),
                iterations: iterations ?? .max, seconds: seconds, workDirectory: workDirectory,
                memoryBytes: memoryMib << 20)
            print("corral fuzz: \(name) seed \(seed): \(summary.iterations) inputs, \(summary.refused) refused, no findings")
            return
        }
        print("corral fuzz: \(name) seed \(seed), work directory \(workDirectory)")
        let plan = FuzzSupervisor.Plan(
            target: name, seed: seed, seconds: seconds, iterations: iterations, corpus: corpus,
            workDirectory: workDirectory, hangSeconds: hangSeconds, memoryBytes: memoryMib << 20)
        if let finding = try FuzzSupervisor(plan: plan).run() {
            FileHandle.standardError.write(Data("\(finding)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The files of `--corpus`, sorted by name so runs replay.
    private func corpusFiles() throws -> [[UInt8]] {
        guard let corpus else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()
        return names.compactMap { FileManager.default.contents(atPath: corpus + "/" + $0).map { [UInt8]($0) } }
    }
}
