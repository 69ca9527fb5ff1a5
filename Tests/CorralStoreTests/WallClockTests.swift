import CorralStore
import Foundation
import Testing

@Suite("The wall clock's injected offset", .serialized)
struct WallClockTests {
    @Test("the offset file moves readings by its milliseconds, a change takes effect within the recheck, and removing it undoes it")
    func offsetFileJumpsTheClock() throws {
        let path = NSTemporaryDirectory() + "corral-wallclock-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        defer {
            WallClock.useOffsetFile(nil)
            unlink(path)
        }
        let hour: UInt64 = 3_600_000_000_000
        try "3600000\n".write(toFile: path, atomically: true, encoding: .utf8)
        WallClock.useOffsetFile(path)
        let real = UInt64(Date().timeIntervalSince1970 * 1e9)
        let jumped = WallClock.nanos()
        #expect(jumped >= real + hour - 1_000_000_000 && jumped <= real + hour + 1_000_000_000)

        try "-7200000".write(toFile: path, atomically: true, encoding: .utf8)
        usleep(UInt32(WallClock.recheckNanos / 1000) + 20_000)
        let back = WallClock.nanos()
        let realNow = UInt64(Date().timeIntervalSince1970 * 1e9)
        #expect(back <= realNow - 2 * hour + 1_000_000_000 && back >= realNow - 2 * hour - 1_000_000_000)

        try "not a number".write(toFile: path, atomically: true, encoding: .utf8)
        usleep(UInt32(WallClock.recheckNanos / 1000) + 20_000)
        #expect(WallClock.nanos() < UInt64(Date().timeIntervalSince1970 * 1e9) - hour, "a garbled file keeps the last offset")

        unlink(path)
        usleep(UInt32(WallClock.recheckNanos / 1000) + 20_000)
        let plain = WallClock.nanos()
        let realLast = UInt64(Date().timeIntervalSince1970 * 1e9)
        #expect(plain + 1_000_000_000 >= realLast && plain <= realLast + 1_000_000_000)
    }

    @Test("without an offset file a reading is the real clock")
    func noFileNoOffset() {
        WallClock.useOffsetFile(nil)
        let real = UInt64(Date().timeIntervalSince1970 * 1e9)
        let reading = WallClock.nanos()
        #expect(reading + 1_000_000_000 >= real && reading <= real + 1_000_000_000)
    }
}
