import CorralHistory
import CorralTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The register test's nemesis: on a schedule drawn from its seed, it finds the leader and
/// either SIGKILLs it (restarting it after a pause) or SIGSTOPs it (resuming it after longer
/// than an election timeout, 300-600 ms with the default ticks), then lets the quorum run
/// healthy for a while. Every fault is healed before `run` returns.
struct RegisterNemesis {
    let fault: RegisterTestRun.Fault
    let quorum: QuorumHarness
    let clock: @Sendable () -> UInt64
    private var rng: SplitMix64
    /// What it did, with times on the history's clock.
    private(set) var events: [String] = []
    private(set) var faults = 0

    init(fault: RegisterTestRun.Fault, seed: UInt64, quorum: QuorumHarness, clock: @escaping @Sendable () -> UInt64) {
        self.fault = fault
        self.quorum = quorum
        self.clock = clock
        rng = SplitMix64(seed: seed ^ 0x4E45_4D45_5349_5321)
    }

    /// Injects faults until `deadline` (nanoseconds on `clock`).
    mutating func run(until deadline: UInt64) throws {
        while true {
            sleep(milliseconds: Int.random(in: 500...1_500, using: &rng), before: deadline)
            guard clock() + 1_000_000_000 < deadline else { break }
            let leader = try quorum.leader(seconds: 20)
            let outage = fault == .kill ? Int.random(in: 300...1_500, using: &rng) : Int.random(in: 800...1_600, using: &rng)
            faults += 1
            switch fault {
            case .kill:
                note("SIGKILL master \(leader)")
                quorum.kill(leader)
                sleep(milliseconds: outage, before: .max)
                note("restart master \(leader)")
                try quorum.start(leader)
                note("master \(leader) answers /health")
            case .pause:
                note("SIGSTOP master \(leader)")
                quorum.signal(leader, SIGSTOP)
                sleep(milliseconds: outage, before: .max)
                note("SIGCONT master \(leader)")
                quorum.signal(leader, SIGCONT)
            }
        }
    }

    private mutating func note(_ what: String) {
        events.append("    \(ClientOperation.secondsText(clock())) \(what)")
    }

    private func sleep(milliseconds: Int, before deadline: UInt64) {
        let now = clock()
        let wanted = UInt64(milliseconds) * 1_000_000
        let nanos = deadline > now ? min(wanted, deadline - now) : 0
        usleep(UInt32(nanos / 1_000))
    }
}
