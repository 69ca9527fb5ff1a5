import Testing

@testable import CorralModel

@Suite("Resource arithmetic")
struct ResourcesTests {
    @Test func fixedPointScalars() {
        #expect(Scalar(0.1) + Scalar(0.2) == Scalar(0.3))
        #expect((Scalar(0.1) + Scalar(0.2)).value == 0.3)
        #expect(Scalar(0.0004) == .zero)
        #expect(Scalar(0.0005).millis == 1)
        #expect(Scalar(-1.5).value == -1.5)
        #expect(Scalar(exactly: .nan) == nil)
        #expect(Scalar(exactly: .infinity) == nil)
        #expect(Scalar(exactly: 1e300) == nil)
        #expect(Scalar(exactly: 9e15)?.millis == 9_000_000_000_000_000_000)
        #expect(Scalar(exactly: 9.3e15) == nil)
        #expect(Scalar(1e300).millis == 9_000_000_000_000_000_000)
        #expect(Scalar(-1e300).millis == -9_000_000_000_000_000_000)
        #expect((Scalar(9e15) + Scalar(9e15)).millis == .max, "sums saturate")
        #expect((Scalar(-9e15) - Scalar(9e15)).millis == .min)
        let bag: Resources = [.scalar("cpus", 0.1), .scalar("cpus", 0.2)]
        #expect(bag.cpus == 0.3)
        #expect(bag.count == 1)
    }

    @Test(arguments: [0.1, 0.3, 1.7, 3.333, 1234.567, 0.001])
    func addThenSubtractIsIdentity(amount: Double) {
        let base = Resources(Fixtures.agentResources)
        let extra: Resources = [
            .scalar("cpus", Scalar(amount)), .scalar("mem", Scalar(amount * 7)),
            .ranges("ports", Ranges(40000...40010)), .scalar("cpus", Scalar(amount), role: "web"),
        ]
        let sum = base + extra
        #expect(sum - extra == base)
        #expect((sum - extra).elements.map(\.scalar) == base.elements.map(\.scalar))
        #expect(sum.contains(base) && sum.contains(extra))
    }

    @Test func containsAndSubtract() {
        let agent = Resources(Fixtures.agentResources)
        let task: Resources = [
            .scalar("cpus", 1), .scalar("mem", 512), .ranges("ports", Ranges(31005...31005)),
        ]
        #expect(agent.contains(task))
        let left = agent - task
        #expect(left.unreserved.cpus == 3)
        #expect(left.memMegabytes == 7680)
        #expect(left.ports == Ranges(31000...31004, 31006...32000))
        #expect(!left.contains(task))
        #expect(!agent.contains([.scalar("cpus", 7)]))
        #expect(!agent.contains([.scalar("cpus", 3, role: "web")]), "reserved cpus are only 2")
        #expect(agent.contains([.scalar("cpus", 2, role: "web")]))
        #expect(agent.contains(Resources()))
    }

    @Test func rangesMergeAndSplit() {
        let ports = Ranges(31000...32000)
        #expect(ports - Ranges(31005...31005) == Ranges(31000...31004, 31006...32000))
        #expect((ports - Ranges(31005...31005)).range.count == 2)
        #expect(Ranges(1...2) + Ranges(3...4) == Ranges(1...4))
        #expect((Ranges(1...2) + Ranges(3...4)).range.count == 1)
        #expect(Ranges(10...20, 5...12).normalized == Ranges(5...20))
        #expect(Ranges(1...10).contains(Ranges(2...3, 5...9)))
        #expect(!Ranges(1...10).contains(Ranges(9...11)))
        #expect(Ranges(1...10) - Ranges(1...10) == Ranges())
        #expect(Ranges(0...UInt64.max).count == 0 &+ UInt64.max &+ 1)
        #expect((Ranges(0...5) - Ranges(0...0)) == Ranges(1...5))
        #expect(
            (Ranges(UInt64.max - 1...UInt64.max) - Ranges(UInt64.max...UInt64.max))
                == Ranges(UInt64.max - 1...UInt64.max - 1)
        )
        var portsResources: Resources = [.ranges("ports", Ranges(31000...31010))]
        portsResources += .ranges("ports", Ranges(31011...31020))
        #expect(portsResources.count == 1)
        #expect(portsResources.ports == Ranges(31000...31020))
    }

    @Test func sets() {
        var bag: Resources = [.set("zones", ["a", "b"])]
        bag += .set("zones", ["b", "c"])
        #expect(bag.first?.set?.item == ["a", "b", "c"])
        #expect(bag.contains([.set("zones", ["c", "a"])]))
        bag -= .set("zones", ["a", "b", "c"])
        #expect(bag.isEmpty)
    }

    @Test func differentRolesAndAllocationsDoNotMerge() {
        let bag: Resources = [
            .scalar("cpus", 1), .scalar("cpus", 1, role: "web"), .scalar("cpus", 1, role: "db"),
        ]
        #expect(bag.count == 3)
        #expect(bag.cpus == 3)
        #expect(bag.reserved("web").cpus == 1)
        #expect(bag.reserved().cpus == 2)
        #expect(bag.unreserved.cpus == 1)
        let allocated = bag.allocated(to: "web")
        #expect(allocated.allocatedTo("web").cpus == 3)
        #expect(allocated.allocatedTo("db").isEmpty)
        #expect((allocated + bag).count == 6)
        #expect(!bag.contains(allocated), "allocation info must match")
        #expect(bag.flattened.count == 1)
        #expect(bag.flattened.cpus == 3)
        #expect(bag.toUnreserved.count == 1)
        var dynamic = Resource.scalar("cpus", 1)
        dynamic.reservations = [.dynamic("web", principal: "ops")]
        #expect((bag + [dynamic]).count == 4, "static and dynamic reservations differ")
    }

    @Test func legacyRoleFormatIsRefined() throws {
        let json =
            #"[{"name":"cpus","type":"SCALAR","scalar":{"value":2},"role":"web"},"#
            + #"{"name":"cpus","type":"SCALAR","scalar":{"value":1},"role":"*"},"#
            + #"{"name":"mem","type":"SCALAR","scalar":{"value":64},"role":"web","reservation":{"principal":"ops"}}]"#
        let bag = try Fixtures.decode(Resources.self, json)
        #expect(bag.reserved("web").cpus == 2)
        #expect(bag.unreserved.cpus == 1)
        let mem = try #require(bag.first { $0.name == "mem" })
        #expect(mem.reservations == [Resource.ReservationInfo(type: .dynamic, role: "web", principal: "ops")])
        #expect(mem.role == nil)
        #expect(bag.contains([.scalar("cpus", 2, role: "web")]))
    }

    @Test func subtractingTooMuchOrEmptyIsHarmless() {
        var bag: Resources = [.scalar("cpus", 1)]
        bag -= .scalar("cpus", 2)
        #expect(bag.isEmpty, "a negative result is removed, as in Mesos")
        bag += .scalar("cpus", 0)
        #expect(bag.isEmpty)
        bag -= .scalar("gpus", 1)
        #expect(bag.isEmpty)
    }

    @Test func sharedAndExclusiveDisks() {
        var volume = Resource.scalar("disk", 10, role: "db")
        volume.disk = .init(persistence: .init(id: "v1"))
        volume.shared = .init()
        var bag: Resources = [volume, volume]
        #expect(bag.count == 2, "copies of a shared volume are counted, not merged")
        bag -= volume
        #expect(bag.count == 1)
        var mount = Resource.scalar("disk", 100)
        mount.disk = .init(source: .init(type: .mount, mount: .init(root: "/mnt/a")))
        let disks: Resources = [mount, mount]
        #expect(disks.count == 2, "exclusive MOUNT disks never merge")
        #expect(!disks.contains([.scalar("disk", 50)]))
        #expect(disks.contains([mount]))
    }

    @Test func unknownTypesStayAsGiven() throws {
        let json = #"[{"name":"weird","type":"VECTOR","vector":[1,2]},{"name":"weird","type":"VECTOR"}]"#
        let bag = try Fixtures.decode(Resources.self, json)
        #expect(bag.count == 2)
        #expect(bag.first?.type.isKnown == false)
        #expect(bag.contains(bag))
    }
}

@Suite("Value semantics")
struct ValueSemanticsTests {
    @Test func setsCompareAsSets() {
        #expect(Value.ValueSet(["a", "b"]) == Value.ValueSet(["b", "a"]))
        #expect(Set([Value.ValueSet(["a", "b"]), Value.ValueSet(["b", "a"])]).count == 1)
        #expect(Ranges(1...2, 3...4) == Ranges(1...4))
        #expect(Set([Ranges(1...2, 3...4), Ranges(1...4)]).count == 1)
    }

    @Test func scalarsEncodeAsMesosDoes() throws {
        let json = String(decoding: try MesosJSON.encode(Scalar(0.1) + Scalar(0.2)), as: UTF8.self)
        #expect(json == #"{"value":0.3}"#)
        #expect(try Fixtures.decode(Scalar.self, #"{"value":2.0006}"#).millis == 2001)
    }
}
