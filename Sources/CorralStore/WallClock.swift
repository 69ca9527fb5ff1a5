import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock as the `corral` processes read it, with a fault a chaos run can inject: when
/// the environment variable `CORRAL_WALL_CLOCK_OFFSET_FILE` names a file, the file's content
/// (a signed number of milliseconds, e.g. `3600000` or `-5000`; missing or empty: 0) is added
/// to every reading, and a change to the file takes effect within `recheckNanos` — a clock
/// that jumps while the process runs, as when NTP steps it. Unset (the normal case), a reading
/// is `clock_gettime(CLOCK_REALTIME)` and one relaxed atomic load.
public enum WallClock {
    /// The environment variable naming the offset file.
    public static let variable = "CORRAL_WALL_CLOCK_OFFSET_FILE"
    /// How often (on the monotonic clock) a reading looks at the file again.
    public static let recheckNanos: UInt64 = 50_000_000

    private struct Skew {
        var path: String
        var offsetNanos: Int64 = 0
        var checkedAt: UInt64 = 0
        var checkedOnce = false
    }

    private static let skewed = Atomic<Bool>(false)
    private static let skew = Mutex<Skew?>(nil)

    /// Nanoseconds since 1970, with the injected offset if there is one.
    public static func nanos() -> UInt64 {
        let real = clockNanos(CLOCK_REALTIME)
        guard skewed.load(ordering: .relaxed) else { return real }
        let offset = currentOffset()
        return offset >= 0 ? real &+ UInt64(offset) : real &- min(real, UInt64(-offset))
    }

    /// Seconds since 1970, with the injected offset.
    public static func seconds() -> Double { Double(nanos()) / 1e9 }

    /// Reads the offset from `path` from now on (nil: no offset). `corral` calls it at start
    /// with the variable's value; tests call it directly.
    public static func useOffsetFile(_ path: String?) {
        skew.withLock { $0 = path.map { Skew(path: $0) } }
        skewed.store(path != nil, ordering: .releasing)
    }

    /// Reads the variable: returns the file it names, if any, after arming it.
    @discardableResult
    public static func useOffsetFileFromEnvironment() -> String? {
        guard let value = getenv(variable), value.pointee != 0 else { return nil }
        let path = String(cString: value)
        useOffsetFile(path)
        return path
    }

    private static func currentOffset() -> Int64 {
        let now = clockNanos(CLOCK_MONOTONIC)
        return skew.withLock { state -> Int64 in
            guard var current = state else { return 0 }
            if !current.checkedOnce || now &- current.checkedAt >= recheckNanos {
                current.offsetNanos = offset(in: current.path) ?? current.offsetNanos
                current.checkedAt = now
                current.checkedOnce = true
                state = current
            }
            return current.offsetNanos
        }
    }

    /// The offset the file holds, in nanoseconds; 0 for a missing or empty file; nil (keep
    /// the last one) for content that is not a number, e.g. a write caught half-way.
    static func offset(in path: String) -> Int64? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 63) }
        guard count >= 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmed(of: " \n\t")
        if text.isEmpty { return 0 }
        guard let millis = Int64(text), abs(millis) <= 100 * 365 * 86_400_000 else { return nil }
        return millis * 1_000_000
    }

    private static func clockNanos(_ clock: clockid_t) -> UInt64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

extension String {
    fileprivate func trimmed(of set: String) -> String {
        let drop = Set(set.unicodeScalars)
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop.contains($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop.contains($0) })!
        return String(scalars[first...last])
    }
}
