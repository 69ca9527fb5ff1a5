import CorralContainer
import Foundation

/// Runs a target's fuzz loop in this process: iteration after iteration, a mutated input fed
/// to the parser. A refused input is counted; a trap ends the process (which is why
/// `corral fuzz` runs this loop in a child it watches, see `FuzzSupervisor`).
public struct FuzzRunner: Sendable {
    /// What a finished loop did.
    public struct Summary: Sendable, Equatable {
        /// Inputs fed.
        public var iterations: UInt64 = 0
        /// Inputs the parser refused with an error.
        public var refused: UInt64 = 0
    }

    /// The target fed.
    public let target: FuzzTarget
    /// The seed every input derives from.
    public let seed: UInt64
    /// Makes the inputs.
    public let mutator: Mutator

    /// A runner over the target's seeds plus `extraCorpus` (the files of `--corpus`).
    public init(target: FuzzTarget, seed: UInt64, extraCorpus: [[UInt8]] = []) {
        self.target = target
        self.seed = seed
        self.mutator = Mutator(corpus: target.seeds + extraCorpus, format: target.format)
    }

    /// Runs `iterations` inputs (or until `deadline` when given, whichever comes first),
    /// calling `beforeInput` with each iteration and input before the parser sees it.
    /// `scratch` is a directory this loop owns; members of a layer go under it.
    public func run(
        iterations: UInt64, deadline: ContinuousClock.Instant? = nil, scratch: String,
        beforeInput: (UInt64, [UInt8]) throws -> Void = { _, _ in }
    ) throws -> Summary {
        var summary = Summary()
        let area = try ScratchArea(scratch)
        while summary.iterations < iterations {
            if let deadline, summary.iterations % 16 == 0, ContinuousClock.now >= deadline { break }
            let input = mutator.input(seed: seed, iteration: summary.iterations)
            try beforeInput(summary.iterations, input)
            if !Self.runOne(target, input, area: area) { summary.refused += 1 }
            summary.iterations += 1
        }
        return summary
    }

    /// Feeds one input (`corral fuzz --replay`); returns the parser's refusal, or nil when
    /// it accepted the input.
    public static func replay(_ target: FuzzTarget, _ input: [UInt8], scratch: String) throws -> String? {
        let area = try ScratchArea(scratch)
        var refusal: String?
        _ = runOne(target, input, area: area) { refusal = "\($0)" }
        return refusal
    }

    /// Runs the parser on `input`; false when it threw. Traps when a layer member was
    /// written outside the unpack directory, so an escape is reported as a crash.
    private static func runOne(
        _ target: FuzzTarget, _ input: [UInt8], area: ScratchArea, refused: (any Error) -> Void = { _ in }
    ) -> Bool {
        let directory = area.prepare()
        defer { area.clear() }
        do {
            try target.run(input, directory)
            return true
        } catch {
            refused(error)
            return false
        }
    }
}

/// The directory a target may fill with one input's files, checked and emptied after each.
final class ScratchArea: Sendable {
    private let root: String

    init(_ root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root + "/unpack", withIntermediateDirectories: true)
    }

    /// The empty directory for the next input.
    func prepare() -> String { root + "/unpack" }

    /// Empties the unpack directory; traps if anything was written beside it.
    func clear() {
        let unpack = root + "/unpack"
        let names = (try? Syscall.listDirectory(unpack)) ?? []
        for name in names { try? Syscall.removeTree(unpack + "/" + name) }
        let beside = ((try? Syscall.listDirectory(root)) ?? []).filter { $0 != "unpack" }
        if !beside.isEmpty {
            fatalError("an input wrote outside its unpack directory: \(beside.joined(separator: ", ")) in \(root)")
        }
        if (try? Syscall.listDirectory(unpack))?.isEmpty != true || (try? Syscall.lstatIfExists(unpack)) == nil {
            try? Syscall.removeTree(unpack)
            try? FileManager.default.createDirectory(atPath: unpack, withIntermediateDirectories: true)
        }
    }
}
