import CCorralLauncher
import Foundation
import Glibc

/// The parent side of `corral fuzz`: starts the loop in a child (`corral fuzz --worker`, the
/// same executable), watches its progress file, and turns a child killed by a signal, a child
/// that exits with an error, or a child that makes no progress for `hangSeconds` into a
/// `FuzzFinding` with the saved input.
public struct FuzzSupervisor: Sendable {
    /// What the child is told to run.
    public struct Plan: Sendable {
        /// The target's name.
        public var target: String
        /// The seed every input derives from.
        public var seed: UInt64
        /// How long the child fuzzes, if limited by time.
        public var seconds: Double?
        /// How many inputs the child runs at most.
        public var iterations: UInt64?
        /// A directory of extra seed inputs.
        public var corpus: String?
        /// Where the progress file, the scratch area and saved findings go.
        public var workDirectory: String
        /// Seconds without progress that count as a hang.
        public var hangSeconds: Double
        /// The child's address-space limit.
        public var memoryBytes: UInt64

        /// Makes a plan.
        public init(
            target: String, seed: UInt64, seconds: Double?, iterations: UInt64?, corpus: String?,
            workDirectory: String, hangSeconds: Double, memoryBytes: UInt64
        ) {
            self.target = target
            self.seed = seed
            self.seconds = seconds
            self.iterations = iterations
            self.corpus = corpus
            self.workDirectory = workDirectory
            self.hangSeconds = hangSeconds
            self.memoryBytes = memoryBytes
        }

        /// The child's arguments after the executable.
        var workerArguments: [String] {
            var arguments = ["fuzz", target, "--worker", "--seed", String(seed), "--work", workDirectory]
            arguments += ["--memory-mib", String(memoryBytes >> 20)]
            if let seconds { arguments += ["--seconds", String(seconds)] }
            if let iterations { arguments += ["--iterations", String(iterations)] }
            if let corpus { arguments += ["--corpus", corpus] }
            return arguments
        }
    }

    /// The plan carried out.
    public let plan: Plan
    /// The executable the child runs (this one: `/proc/self/exe`).
    public let executable: String

    /// Makes a supervisor that re-executes `executable`.
    public init(plan: Plan, executable: String = "/proc/self/exe") {
        self.plan = plan
        self.executable = executable
    }

    /// Runs the child to the end; nil when it finished clean, else the finding.
    ///
    /// The child is started with `posix_spawn` and reaped with `waitpid` here: Foundation's
    /// `Process` sometimes never noticed the child's exit, leaving `isRunning` true for ever.
    public func run() throws -> FuzzFinding? {
        try FileManager.default.createDirectory(atPath: plan.workDirectory, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: plan.workDirectory + "/" + FuzzWorker.progressFileName)
        let child = try spawn([executable] + plan.workerArguments)
        var lastIteration: UInt64?
        var lastProgress = ContinuousClock.now
        var status: Int32 = 0
        while true {
            let reaped = waitpid(child, &status, WNOHANG)
            if reaped == child { break }
            if reaped < 0 && errno != EINTR { throw FuzzError("waitpid(\(child)) failed with errno \(errno)") }
            usleep(50_000)
            let iteration = FuzzWorker.progress(in: plan.workDirectory)?.iteration
            if iteration != lastIteration {
                lastIteration = iteration
                lastProgress = .now
            } else if ContinuousClock.now - lastProgress > .milliseconds(Int64(plan.hangSeconds * 1000)) {
                kill(child, SIGKILL)
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                return finding(.hang(seconds: plan.hangSeconds))
            }
        }
        let signal = status & 0x7f
        if signal != 0 { return finding(.signal(signal)) }
        let exitStatus = (status >> 8) & 0xff
        return exitStatus == 0 ? nil : finding(.exit(exitStatus))
    }

    /// Starts `arguments[0]` with `arguments`, sharing this process's environment (but for the
    /// Swift backtracer, turned off) and output.
    ///
    /// The backtracer a crashing Swift process starts would outlive a worker killed as hung
    /// while it ran (at the memory limit it is slow, and may never finish), holding this
    /// process's output open: whoever reads that to its end (a test) then waits for ever. The
    /// finding is the signal and the saved input; `--replay` gives the backtrace.
    private func spawn(_ arguments: [String]) throws -> pid_t {
        var pid: pid_t = 0
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let environment = ProcessInfo.processInfo.environment.filter { $0.key != "SWIFT_BACKTRACE" }
            .map { "\($0.key)=\($0.value)" } + ["SWIFT_BACKTRACE=enable=no"]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        // Standard input, output and error only: not this process's other descriptors.
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        corral_spawn_actions_close_from(&actions, 3)
        let result = posix_spawn(&pid, arguments[0], &actions, nil, &argv, &envp)
        guard result == 0 else { throw FuzzError("cannot start the fuzz worker \(arguments[0]): errno \(result)") }
        return pid
    }

    private func finding(_ kind: FuzzFinding.Kind) -> FuzzFinding {
        let progress = FuzzWorker.progress(in: plan.workDirectory)
        var saved: String?
        if let progress {
            let path = plan.workDirectory + "/\(kind.word)-\(plan.target)-seed\(plan.seed)-iteration\(progress.iteration).input"
            if FileManager.default.createFile(atPath: path, contents: Data(progress.input)) { saved = path }
        }
        return FuzzFinding(
            kind: kind, target: plan.target, seed: plan.seed, iteration: progress?.iteration, inputPath: saved)
    }
}

/// A crash, hang or failed exit of the fuzz child, with what is needed to replay it.
public struct FuzzFinding: Sendable, CustomStringConvertible {
    /// How the child failed.
    public enum Kind: Sendable {
        /// Killed by this signal (a trap, an abort, a failed allocation).
        case signal(Int32)
        /// Exited with this non-zero status.
        case exit(Int32)
        /// Made no progress for this long and was killed.
        case hang(seconds: Double)

        var word: String {
            switch self {
            case .signal: "crash"
            case .exit: "failure"
            case .hang: "hang"
            }
        }
    }

    /// How the child failed.
    public let kind: Kind
    /// The target being fuzzed.
    public let target: String
    /// The run's seed.
    public let seed: UInt64
    /// The iteration being run, or nil when the child failed before its first input.
    public let iteration: UInt64?
    /// The saved input, or nil when there was none.
    public let inputPath: String?

    /// The report printed by `corral fuzz`.
    public var description: String {
        let what: String
        switch kind {
        case .signal(let signal): what = "CRASH: the worker died of signal \(signal) (\(strsignal(signal).map { String(cString: $0) } ?? "unknown signal"))"
        case .exit(let status): what = "FAILURE: the worker exited with status \(status)"
        case .hang(let seconds): what = "HANG: the worker made no progress for \(seconds) s and was killed"
        }
        var lines = [
            "corral fuzz: \(what)", "  target:    \(target)", "  seed:      \(seed)",
            "  iteration: \(iteration.map(String.init) ?? "none (it failed before its first input)")",
        ]
        if let inputPath {
            lines.append("  input:     \(inputPath)")
            lines.append("  replay:    corral fuzz \(target) --replay \(inputPath)")
        }
        lines.append("  rerun:     corral fuzz \(target) --seed \(seed) --iterations \((iteration ?? 0) + 1)")
        return lines.joined(separator: "\n")
    }
}
