import CorralFuzz
import CorralTestSupport
import Foundation
import Testing

/// Each target's short fuzz budget, run in this process: a fixed seed and a fixed number of
/// iterations, so the run is the same every time. A crash here fails the whole test run,
/// which is the point; `corral fuzz TARGET --seed 1 --iterations N` reproduces it.
///
/// One target at a time: on the elastic executor the two dozen budgets, all CPU and started
/// together, took most of both cores from everything beside them for the first minutes of a
/// run (in-process servers and event loops missed their tests' deadlines).
@Suite("Fuzz targets", .serialized, .offCooperativePool)
struct FuzzTargetTests {
    /// Iterations per target: the parsers differ in cost by two orders of magnitude.
    static let budget: [String: UInt64] = [
        "mesos-scheduler-call": 6000, "mesos-operator-call": 6000, "mesos-agent-call": 4000,
        "mesos-executor-call": 4000, "mesos-protobuf-call": 6000, "recordio": 20000, "raft-message": 20000,
        "raft-storage": 20000, "client-protocol": 20000, "master-config": 3000, "agent-config": 3000,
        "layer-tar": 3000, "layer-gzip": 3000, "oci-json": 4000, "registry-request": 20000,
        "files-request": 3000, "registry-upload": 20000, "registry-route": 5000, "master-limits": 3000,
        "auth-header": 10000, "credentials-file": 5000, "acls-file": 5000,
    ]

    @Test("every target has a budget here or in the command tests (raft-frame)")
    func everyTargetIsCovered() {
        #expect(Set(FuzzCatalog.targets.map(\.name)) == Set(Self.budget.keys).union(["raft-frame"]))
    }

    @Test("every built-in seed input is accepted by its parser", arguments: FuzzCatalog.targets.map(\.name))
    func seedsAreValid(_ name: String) throws {
        let target = try FuzzCatalog.target(named: name)
        let scratch = try ScratchDirectory(prefix: "fuzz-seeds")
        defer { scratch.remove() }
        for (index, seed) in target.seeds.enumerated() {
            let refusal = try FuzzRunner.replay(target, seed, scratch: scratch.path + "/\(index)")
            #expect(refusal == nil, "seed \(index) of \(name) was refused: \(refusal ?? "")")
        }
    }

    @Test("runs its budget without a finding", arguments: FuzzCatalog.targets.map(\.name).filter { $0 != "raft-frame" })
    func runsBudget(_ name: String) throws {
        let target = try FuzzCatalog.target(named: name)
        let iterations = try #require(Self.budget[name])
        let scratch = try ScratchDirectory(prefix: "fuzz-\(name)")
        defer { scratch.remove() }
        let summary = try FuzzRunner(target: target, seed: 1).run(iterations: iterations, scratch: scratch.path)
        #expect(summary.iterations == iterations)
        // Most mutated inputs must be refused, and some accepted: otherwise the mutations are
        // too weak or too strong to reach the parser's depths.
        #expect(summary.refused > 0, "\(name): no input was refused")
        #expect(summary.refused < iterations, "\(name): every input was refused")
    }

    @Test("an iteration's input depends only on the seed and the iteration")
    func mutationsReplay() {
        let mutator = Mutator(corpus: [Array("{\"a\": [1, 2, \"x\"]}".utf8), [1, 2, 3, 4, 5]], format: .text)
        for iteration in UInt64(0)..<200 {
            #expect(mutator.input(seed: 42, iteration: iteration) == mutator.input(seed: 42, iteration: iteration))
        }
        let first = (UInt64(0)..<50).map { mutator.input(seed: 1, iteration: $0) }
        let second = (UInt64(0)..<50).map { mutator.input(seed: 2, iteration: $0) }
        #expect(first != second)
    }
}

/// The mutator's own cost, which a hang report would otherwise blame on the parser.
@Suite("Fuzz mutator", .offCooperativePool)
struct FuzzMutatorTests {
    @Test("inputs stay within the size limit, even after repeated token duplication")
    func inputsStayBounded() {
        // Seed 77, iteration 41022 of mesos-scheduler-call once grew to gigabytes here.
        let target = FuzzCatalog.targets.first { $0.name == "mesos-scheduler-call" }
        let mutator = Mutator(corpus: target?.seeds ?? [], format: .text)
        for iteration in UInt64(41_000)..<41_100 {
            #expect(mutator.input(seed: 77, iteration: iteration).count <= mutator.maximumBytes)
        }
    }
}
