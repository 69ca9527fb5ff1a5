import Testing

@testable import CorralModel

/// A `@Boxed` field reads, compares, hashes and encodes as the optional it holds, and a copy
/// never sees a later change to the original.
@Suite("Boxed fields")
struct BoxedTests {
    static var volume: Resource {
        var resource = Resource.scalar("disk", Scalar(64), role: "db")
        resource.disk = Resource.DiskInfo(persistence: .init(id: "v1", principal: "ops"))
        return resource
    }

    @Test func anAbsentFieldIsLeftOutAndANullOneDecodesToNil() throws {
        let json = String(decoding: try MesosJSON.encode(Resource.scalar("cpus", Scalar(1))), as: UTF8.self)
        #expect(!json.contains("disk"), "\(json)")
        let decoded = try MesosJSON.decode(
            Resource.self,
            from: Array(#"{"name":"cpus","type":"SCALAR","scalar":{"value":1},"disk":null}"#.utf8)
        )
        #expect(decoded.disk == nil)
        #expect(decoded == Resource.scalar("cpus", Scalar(1)))
    }

    @Test func aPresentFieldEncodesAsTheMessageItself() throws {
        let json = String(decoding: try MesosJSON.encode(Self.volume), as: UTF8.self)
        #expect(json.contains(#""disk":{"persistence":{"id":"v1","principal":"ops"}}"#), "\(json)")
        #expect(try Fixtures.roundTrip(Self.volume) == Self.volume)
    }

    @Test func copiesAreValues() {
        let original = Self.volume
        var copy = original
        copy.disk?.persistence?.id = "v2"
        #expect(original.disk?.persistence?.id == "v1", "the original keeps its value")
        #expect(copy != original)
        copy.disk?.persistence?.id = "v1"
        #expect(copy == original, "equal contents compare equal in different boxes")
        #expect(Set([copy, original]).count == 1, "and hash alike")
        copy.disk = nil
        #expect(copy.disk == nil && original.disk != nil)
    }

    @Test func eventPayloadsAreBoxedToo() throws {
        var event = SchedulerEvent(type: .rescind)
        #expect(event.rescind == nil && event.offers == nil, "a new event holds no payload")
        event.rescind = .init(offerID: "O")
        let copy = event
        event.rescind?.offerID = "P"
        #expect(copy.rescind?.offerID == "O")
        #expect(try Fixtures.roundTrip(event) == event)
    }
}
