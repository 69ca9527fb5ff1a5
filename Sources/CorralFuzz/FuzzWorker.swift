import Foundation
import Glibc

/// The child side of `corral fuzz`: limits its address space, then runs the loop, writing
/// each input with its iteration number to the progress file before the parser sees it, so
/// the watching parent can save the input that killed or stalled it.
public enum FuzzWorker {
    /// The file in the work directory that holds the current iteration and input.
    public static let progressFileName = "current"

    /// Runs `runner` for up to `iterations` inputs or `seconds`, with its address space capped
    /// at `memoryBytes` so an unbounded allocation ends it instead of the machine.
    public static func run(
        _ runner: FuzzRunner, iterations: UInt64, seconds: Double?, workDirectory: String, memoryBytes: UInt64
    ) throws -> FuzzRunner.Summary {
        var limit = rlimit(rlim_cur: rlim_t(memoryBytes), rlim_max: rlim_t(memoryBytes))
        guard setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0 else {
            throw FuzzError("setrlimit(RLIMIT_AS, \(memoryBytes)) failed with errno \(errno)")
        }
        let path = workDirectory + "/" + progressFileName
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FuzzError("cannot open \(path): errno \(errno)") }
        defer { close(descriptor) }
        let deadline = seconds.map { ContinuousClock.now + .milliseconds(Int64($0 * 1000)) }
        return try runner.run(iterations: iterations, deadline: deadline, scratch: workDirectory + "/scratch") {
            iteration, input in
            var record = withUnsafeBytes(of: iteration.littleEndian) { Array($0) }
            record.append(contentsOf: input)
            let written = record.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
            guard written == record.count, ftruncate(descriptor, off_t(record.count)) == 0 else {
                throw FuzzError("cannot write the progress file \(path): errno \(errno)")
            }
        }
    }

    /// The iteration and input last written to the progress file in `workDirectory`.
    public static func progress(in workDirectory: String) -> (iteration: UInt64, input: [UInt8])? {
        guard let data = FileManager.default.contents(atPath: workDirectory + "/" + progressFileName), data.count >= 8
        else { return nil }
        let bytes = [UInt8](data)
        let iteration = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (iteration, Array(bytes[8...]))
    }
}
