import CorralTestSupport
import Foundation
import Testing

/// `corral fuzz` through the real binary: the worker child, its progress file, and the
/// parent's reports of a crash, a hang and a runaway allocation (with the self-test doubles).
@Suite("corral fuzz command", .serialized, .offCooperativePool)
struct FuzzCommandTests {
    let selfTest = ["CORRAL_FUZZ_SELFTEST": "1"]

    @Test("a real target runs its budget in the watched child and reports no finding")
    func cleanRun() throws {
        let scratch = try ScratchDirectory(prefix: "fuzz-command")
        defer { scratch.remove() }
        let run = try CombinedOutput.corral(["fuzz", "raft-frame", "--seed", "1", "--iterations", "20000", "--work", scratch.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("raft-frame seed 1: 20000 inputs"), "\(run.output)")
        #expect(run.output.contains("no findings"))
    }

    @Test("a crash is reported with its seed, iteration and saved input, and --replay reproduces it")
    func crashIsReported() throws {
        let scratch = try ScratchDirectory(prefix: "fuzz-crash")
        defer { scratch.remove() }
        let run = try CombinedOutput.corral(
            ["fuzz", "selftest-crash", "--seed", "3", "--iterations", "100000", "--work", scratch.path], environment: selfTest)
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("CRASH: the worker died of signal"), "\(run.output)")
        #expect(run.output.contains("seed:      3"))
        let input = try savedInput(run.output, prefix: "crash-selftest-crash-seed3-iteration")
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)).contains(0xff))
        let replay = try ChildProcess.run(
            try CorralBinary.locate(), ["fuzz", "selftest-crash", "--replay", input],
            environment: ProcessInfo.processInfo.environment.merging(selfTest) { $1 }, scratch: scratch.path)
        #expect(replay.signaled, "\(replay.summary)")
    }

    @Test("the files of --corpus join the seed inputs")
    func corpusIsRead() throws {
        let scratch = try ScratchDirectory(prefix: "fuzz-corpus")
        defer { scratch.remove() }
        let corpus = scratch.path + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        // The double's built-in seeds lack the trigger byte; this corpus file has it, so the
        // same seed crashes at an earlier iteration with the corpus than without.
        try Data([0x41, 0xff, 0x42]).write(to: URL(fileURLWithPath: corpus + "/trigger"))
        func crashIteration(_ extra: [String]) throws -> UInt64 {
            let run = try CombinedOutput.corral(
                ["fuzz", "selftest-crash", "--seed", "3", "--iterations", "100000", "--work", scratch.path + "/work"] + extra,
                environment: selfTest)
            #expect(run.status == 1, "\(run.output)")
            let line = try #require(run.output.split(separator: "\n").first { $0.contains("iteration:") }, "\(run.output)")
            return try #require(UInt64(line.split(separator: " ").last ?? ""))
        }
        #expect(try crashIteration(["--corpus", corpus]) < crashIteration([]))
    }

    @Test("a hang is killed after --hang-seconds and reported with its input")
    func hangIsReported() throws {
        let scratch = try ScratchDirectory(prefix: "fuzz-hang")
        defer { scratch.remove() }
        let run = try CombinedOutput.corral(
            ["fuzz", "selftest-hang", "--seed", "5", "--iterations", "100000", "--hang-seconds", "2", "--work", scratch.path],
            environment: selfTest)
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("HANG: the worker made no progress for 2.0 s"), "\(run.output)")
        let input = try savedInput(run.output, prefix: "hang-selftest-hang-seed5-iteration")
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)).contains(0xff))
    }

    @Test("an unbounded allocation hits the address-space limit and is reported as a crash")
    func allocationIsReported() throws {
        let scratch = try ScratchDirectory(prefix: "fuzz-alloc")
        defer { scratch.remove() }
        let run = try CombinedOutput.corral(
            ["fuzz", "selftest-alloc", "--seed", "9", "--iterations", "100000", "--memory-mib", "768", "--work", scratch.path],
            environment: selfTest)
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("CRASH"), "\(run.output)")
        _ = try savedInput(run.output, prefix: "crash-selftest-alloc-seed9-iteration")
    }

    @Test("the self-test doubles are hidden without CORRAL_FUZZ_SELFTEST=1")
    func doublesAreHidden() throws {
        let list = try CombinedOutput.corral(["fuzz", "--list"], environment: ["CORRAL_FUZZ_SELFTEST": "0"])
        #expect(list.status == 0)
        #expect(list.output.contains("raft-message"))
        #expect(!list.output.contains("selftest"))
        let refused = try CombinedOutput.corral(["fuzz", "selftest-crash"], environment: ["CORRAL_FUZZ_SELFTEST": "0"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("no fuzz target \"selftest-crash\""), "\(refused.output)")
    }

    /// The saved input's path from a report, checked to exist.
    private func savedInput(_ output: String, prefix: String) throws -> String {
        let line = try #require(output.split(separator: "\n").first { $0.contains("  input:") }, "\(output)")
        let path = String(line.split(separator: " ").last ?? "")
        #expect(path.contains(prefix), "\(path)")
        #expect(FileManager.default.fileExists(atPath: path))
        return path
    }
}
