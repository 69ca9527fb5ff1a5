import Testing

@testable import CorralScheduler

@Suite("Master addresses and the reconnect policy")
struct MasterRotationTests {
    @Test func parsesAddresses() throws {
        #expect(MasterAddress("m1:5051") == MasterAddress("m1:5051"))
        let plain = try #require(MasterAddress("m1:5051"))
        #expect(plain.host == "m1" && plain.port == 5051)
        #expect(MasterAddress("m1")?.port == 5050)
        let v6 = try #require(MasterAddress("[::1]:6000"))
        #expect(v6.host == "::1" && v6.port == 6000 && v6.description == "[::1]:6000")
        #expect(MasterAddress("m1:http") == nil)
        #expect(MasterAddress("") == nil)
        #expect(
            MasterAddress(location: "http://10.0.0.2:5050/api/v1/scheduler")?.description == "10.0.0.2:5050"
        )
        #expect(MasterAddress(location: "//10.0.0.2:5050/api/v1/scheduler")?.description == "10.0.0.2:5050")
        #expect(MasterAddress(location: "") == nil)
    }

    @Test(arguments: [UInt64(1), 7, 42])
    func backoffDoublesWithJitterAndReplaysFromItsSeed(seed: UInt64) throws {
        let masters = try ["a:1", "b:2", "c:3"].map { try #require(MasterAddress($0)) }
        func delays() -> ([Duration], [String]) {
            var rotation = MasterRotation(
                masters: masters,
                initialDelay: .milliseconds(100),
                maximumDelay: .seconds(1),
                seed: seed
            )
            var waits: [Duration] = []
            var order: [String] = []
            for _ in 0..<8 {
                order.append(rotation.current.description)
                waits.append(rotation.failed())
            }
            return (waits, order)
        }
        let (waits, order) = delays()
        #expect(delays().0 == waits)
        #expect(order == ["a:1", "b:2", "c:3", "a:1", "b:2", "c:3", "a:1", "b:2"])
        var ceiling = Duration.milliseconds(100)
        for wait in waits {
            #expect(wait >= ceiling / 2 && wait <= ceiling)
            ceiling = min(ceiling * 2, .seconds(1))
        }
    }

    @Test func redirectsAreFollowedUpToALimit() throws {
        let a = try #require(MasterAddress("a:1"))
        let b = try #require(MasterAddress("b:2"))
        var rotation = MasterRotation(
            masters: [a],
            initialDelay: .milliseconds(10),
            maximumDelay: .seconds(1),
            seed: 1
        )
        let first = rotation.redirected(to: b)
        #expect(first && rotation.current == b)
        let unusable = rotation.redirected(to: nil)
        #expect(!unusable)
        for _ in 0..<rotation.maximumRedirects { _ = rotation.redirected(to: b) }
        let tooMany = rotation.redirected(to: b)
        #expect(!tooMany)
        _ = rotation.failed()
        #expect(rotation.current == a)
        rotation.subscribed()
        let again = rotation.redirected(to: b)
        #expect(again)
    }
}
