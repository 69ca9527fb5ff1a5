import CorralChaos
import Testing

/// Partition shapes as sets of cut links, which masters each one strands, and how the
/// seeded schedule aims them.
@Suite struct PartitionTests {
    static let three: [UInt64] = [1, 2, 3]
    static let five: [UInt64] = [1, 2, 3, 4, 5]

    @Test func isolateCutsOneMasterBothWays() {
        let partition = Partition.isolate(2, from: Self.three)
        #expect(partition.cut.count == 4)
        #expect(!partition.reaches(2, 1) && !partition.reaches(1, 2) && !partition.reaches(3, 2) && partition.reaches(1, 3))
        #expect(partition.stranded(Self.three) == [2])
        #expect(partition.dropsFrom(2) == [1, 3] && partition.dropsTo(2) == [1, 3] && partition.dropsFrom(1) == [2])
    }

    @Test func oneWayDropsOnlyWhatTheTargetSends() {
        let partition = Partition.oneWay(from: 1, members: Self.three)
        #expect(!partition.reaches(1, 2) && partition.reaches(2, 1))
        #expect(partition.dropsTo(1) == [2, 3] && partition.dropsFrom(1).isEmpty && partition.dropsFrom(2) == [1])
        #expect(partition.stranded(Self.three) == [1])
    }

    @Test func bridgeStrandsNobody() {
        let partition = Partition.bridge(left: [1, 2], right: [4, 5])
        #expect(!partition.reaches(1, 4) && !partition.reaches(5, 2) && partition.reaches(1, 3) && partition.reaches(3, 5))
        #expect(partition.stranded(Self.five).isEmpty)
        #expect(Partition.shaped(.bridge, aimedAt: 2, grouping: [1, 0], members: Self.three) == .bridge(left: [3], right: [1]))
    }

    @Test func splitStrandsTheLargestMinority() {
        let partition = Partition.shaped(.split, aimedAt: 3, grouping: [2, 0, 1, 3], members: Self.five)
        // The others in id order are 1 2 4 5; grouping picks index 2 (master 4) first.
        #expect(partition == .split([3, 4], from: Self.five))
        #expect(partition.stranded(Self.five) == [3, 4])
        #expect(Partition.shaped(.split, aimedAt: 1, grouping: [1, 0], members: Self.three).stranded(Self.three) == [1])
        #expect(Partition.none.stranded(Self.five).isEmpty && Partition.none.description == "none")
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>) func partitionFaultsAimAroundTheLeader(_ seed: UInt64) throws {
        for name in ["isolate-leader", "asymmetric-partition", "bridge-node", "flapping-partitions"] {
            let scenario = try Scenario.load(path: "\(ScenarioParsingTests.folder)/\(name).toml")
            let members = Array(1...UInt64(scenario.masters))
            for fault in FaultSchedule.plan(scenario, seed: seed) {
                #expect(fault.kind.isPartition)
                for leader in members where fault.kind != .flap {
                    let partition = fault.partition(leader: leader, members: members)
                    let aimed = fault.targets(leader: leader, members: members)
                    #expect(aimed.count == 1 && (fault.target != .leader || aimed == [leader]))
                    switch fault.kind {
                    case .isolate, .oneWay: #expect(partition.stranded(members) == aimed)
                    case .split:
                        let stranded = partition.stranded(members)
                        #expect(stranded.count == members.count / 2 && stranded.contains(aimed[0]))
                    case .bridge:
                        #expect(partition.stranded(members).isEmpty && !partition.cut.isEmpty)
                        #expect(members.allSatisfy { partition.reaches(aimed[0], $0) && partition.reaches($0, aimed[0]) })
                    default: Issue.record("\(fault.kind) in \(name)")
                    }
                }
                var healed = 0.0
                for toggle in fault.toggles {
                    #expect(toggle.offsetSeconds >= healed && toggle.seconds > 0 && members.contains(toggle.node))
                    #expect([.isolate, .split, .oneWay, .bridge].contains(toggle.kind))
                    healed = toggle.offsetSeconds + toggle.seconds
                }
                #expect(healed <= fault.healAfterSeconds + 1e-9)
                #expect((fault.kind == .flap) == !fault.toggles.isEmpty)
            }
        }
    }

    @Test func flapTogglesFollowTheSeed() throws {
        let scenario = try Scenario.load(path: "\(ScenarioParsingTests.folder)/flapping-partitions.toml")
        let toggles = { (seed: UInt64) in FaultSchedule.plan(scenario, seed: seed).flatMap(\.toggles) }
        #expect(toggles(5) == toggles(5))
        #expect(toggles(5) != toggles(6))
        #expect(toggles(5).count >= 6, "\(toggles(5))")
        #expect(Set((1...10).flatMap { toggles($0).map(\.kind) }).count == 4, "every shape is drawn")
    }
}
