import Foundation
import Testing

extension RealMasters {
    /// Jepsen-style register test against real masters: concurrent clients read and write
    /// unique values while the leader is killed or paused, and the history must be
    /// linearizable with every 503 counted as "not applied".
    ///
    /// `CORRAL_REGISTER_SECONDS` (default 12) sets each run's length, `CORRAL_REGISTER_ROUNDS`
    /// (default 1) how many runs per shape, `CORRAL_REGISTER_SEED` the first seed (each round
    /// adds one); a failure prints the seed that replays its client and nemesis schedule.
    @Suite(.serialized) struct RegisterTests {
        private static let environment = ProcessInfo.processInfo.environment
        private static let seconds = environment["CORRAL_REGISTER_SECONDS"].flatMap(Double.init) ?? 12
        private static let rounds = environment["CORRAL_REGISTER_ROUNDS"].flatMap(Int.init) ?? 1
        private static let seed = environment["CORRAL_REGISTER_SEED"].flatMap(UInt64.init)

        @Test func threeMastersUnderLeaderKills() throws { try check(masters: 3, .kill, defaultSeed: 3_100) }
        @Test func threeMastersUnderLeaderPauses() throws { try check(masters: 3, .pause, defaultSeed: 3_200) }
        @Test func fiveMastersUnderLeaderKills() throws { try check(masters: 5, .kill, defaultSeed: 5_100) }
        @Test func fiveMastersUnderLeaderPauses() throws { try check(masters: 5, .pause, defaultSeed: 5_200) }

        private func check(masters: Int, _ fault: RegisterTestRun.Fault, defaultSeed: UInt64) throws {
            for round in 0..<Self.rounds {
                let seed = (Self.seed ?? defaultSeed) &+ UInt64(round)
                let run = RegisterTestRun(masters: masters, fault: fault, seed: seed, seconds: Self.seconds)
                let report = try run.run()
                print(report.summary)
                for problem in report.problems { Issue.record("\(problem)") }
            }
        }
    }
}
