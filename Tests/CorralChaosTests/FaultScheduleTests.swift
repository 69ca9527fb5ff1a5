import CorralChaos
import Testing

/// The fault schedule is a pure function of scenario and seed.
@Suite struct FaultScheduleTests {
    static let scenarios = ScenarioParsingTests.shipped.compactMap { try? Scenario.load(path: "\(ScenarioParsingTests.folder)/\($0).toml") }

    @Test(arguments: [1, 42, 9_999] as [UInt64]) func sameSeedSameSchedule(_ seed: UInt64) {
        #expect(Self.scenarios.count == ScenarioParsingTests.shipped.count)
        for scenario in Self.scenarios {
            #expect(FaultSchedule.plan(scenario, seed: seed) == FaultSchedule.plan(scenario, seed: seed))
        }
    }

    @Test func otherSeedsOtherSchedules() {
        for scenario in Self.scenarios {
            let plans = Set((1...8).map { FaultSchedule.plan(scenario, seed: $0) })
            #expect(plans.count > 1, "\(scenario.name): eight seeds gave one schedule")
        }
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>) func scheduleFitsItsWindowsAndDuration(_ seed: UInt64) {
        for scenario in Self.scenarios {
            let plan = FaultSchedule.plan(scenario, seed: seed)
            #expect(plan.count == scenario.faults.reduce(0) { $0 + $1.repeats })
            // A fault starts after every earlier one healed, or, alongside, after the previous
            // step's first fault fired.
            var healed = 0.0
            var stepStarts: [Int: Double] = [:]
            for fault in plan {
                let step = scenario.faults[fault.step]
                if fault.alongside {
                    #expect(fault.atSeconds >= stepStarts[fault.step - 1] ?? .infinity, "\(scenario.name) seed \(seed)")
                } else {
                    #expect(fault.atSeconds >= healed, "\(scenario.name) seed \(seed)")
                }
                if fault.repetition == 0 { stepStarts[fault.step] = fault.atSeconds }
                #expect(fault.healAfterSeconds >= step.healAfter.low && fault.healAfterSeconds <= step.healAfter.high)
                healed = max(healed, fault.atSeconds + fault.healAfterSeconds)
            }
            #expect(healed + 1 <= scenario.durationSeconds)
        }
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>) func targetsResolveAroundTheLeader(_ seed: UInt64) {
        let members: [UInt64] = [1, 2, 3, 4, 5]
        for scenario in Self.scenarios where scenario.masters == 5 {
            for fault in FaultSchedule.plan(scenario, seed: seed) {
                for leader in members {
                    let targets = fault.targets(leader: leader, members: members)
                    #expect(Set(targets).count == targets.count && targets.allSatisfy(members.contains))
                    switch fault.target {
                    case .leader: #expect(targets == [leader])
                    case .follower: #expect(targets.count == 1 && targets != [leader])
                    case .majority: #expect(targets.count == 3 && targets.first == leader)
                    case .all: #expect(targets == members)
                    case .random, .rolling: #expect(targets.count == 1)
                    case .agent, .scheduler: #expect(targets.isEmpty, "agent and scheduler faults hit no master")
                    }
                }
            }
        }
    }

    @Test func rollingVisitsEveryMaster() throws {
        let scenario = try Scenario.load(path: "\(ScenarioParsingTests.folder)/rolling-restart.toml")
        for seed in 1...10 as ClosedRange<UInt64> {
            let hit = FaultSchedule.plan(scenario, seed: seed).flatMap { $0.targets(leader: 1, members: [1, 2, 3]) }
            #expect(hit.sorted() == [1, 2, 3])
        }
    }
}
