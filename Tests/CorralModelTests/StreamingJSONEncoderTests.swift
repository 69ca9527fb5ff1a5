import Foundation
import Testing

@testable import CorralModel

/// The streaming encoder must mean exactly what `JSONEncoder` means for every model type, and
/// fall back (never write wrong JSON) where a value encodes in a way streaming cannot follow.
@Suite struct StreamingJSONEncoderTests {
    /// Both outputs parsed back: equal as JSON values (key order aside).
    static func expectSameJSON<T: Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let streamed = try StreamingJSONEncoder.encodeStreaming(value)
        let foundation = try JSONEncoder().encode(value)
        #expect(try canonical(Data(streamed)) == canonical(foundation), "\(String(decoding: streamed, as: UTF8.self))\nvs\n\(String(decoding: foundation, as: UTF8.self))",
            sourceLocation: sourceLocation)
    }

    /// A JSON text parsed and written again with sorted keys.
    static func canonical(_ data: Data) throws -> Data {
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])
    }

    @Test func mesosSamplesMeanTheSame() throws {
        try Self.expectSameJSON(Fixtures.decode(SchedulerCall.self, MesosSamples.subscribeCall))
        try Self.expectSameJSON(Fixtures.decode(SchedulerEvent.self, MesosSamples.subscribedEvent))
        try Self.expectSameJSON(Fixtures.decode(SchedulerEvent.self, MesosSamples.offersEvent))
        try Self.expectSameJSON(Fixtures.decode(SchedulerEvent.self, MesosSamples.updateEvent))
        try Self.expectSameJSON(Fixtures.decode(SchedulerCall.self, MesosSamples.acceptLaunchCall))
        try Self.expectSameJSON(Fixtures.decode(SchedulerEvent.self, MesosSamples.errorEvent))
    }

    @Test func modelValuesMeanTheSame() throws {
        try Self.expectSameJSON(Fixtures.offer)
        try Self.expectSameJSON(Fixtures.task)
        try Self.expectSameJSON(Fixtures.status)
        try Self.expectSameJSON(Fixtures.framework)
        try Self.expectSameJSON(Fixtures.agent)
        try Self.expectSameJSON([Fixtures.task, Fixtures.task])
        var message = SchedulerEvent(type: .message)
        message.message = .init(agentID: "S", executorID: "E", data: [0xFF, 0, 7])
        try Self.expectSameJSON(message)
    }

    @Test func scalarsAndSpecialTypesAreWrittenAsJSONEncoderWritesThem() throws {
        struct Specials: Encodable {
            var data = Data([1, 2, 3])
            var url = URL(string: "http://agent:5051/files?path=/a b")
            var date = Date(timeIntervalSinceReferenceDate: 12.5)
            var decimal = Decimal(string: "12.75")!
            var whole = 2.0
            var small = 1e-7
            var large = 1e300
            var negative = -0.5
            var int8: Int8 = -3
            var uint16: UInt16 = 65535
            var float: Float = 0.25
            var missing: String? = nil
            var text = "quote\" slash/ back\\ \n\r\t\u{8}\u{c}\u{1} é 🐄"
            var nested = ["a": [1, 2], "b": []]
            var flags = [true, false]
        }
        try Self.expectSameJSON(Specials())
        let text = String(decoding: try StreamingJSONEncoder.encodeStreaming(Specials()), as: UTF8.self)
        #expect(text.contains(#""data":"AQID""#))
        #expect(text.contains(#""whole":2,"#))
        #expect(!text.contains("missing"))
        #expect(text.contains(#"\u0001"#))
    }

    @Test func valuesThatEncodeNothingOrNullOrAScalarAtTheTop() throws {
        struct Nothing: Encodable { func encode(to encoder: any Encoder) throws {} }
        struct Null: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encodeNil()
            }
        }
        #expect(try StreamingJSONEncoder.encodeStreaming(Nothing()) == Array("{}".utf8))
        #expect(try StreamingJSONEncoder.encodeStreaming([Nothing()]) == Array("[{}]".utf8))
        #expect(try StreamingJSONEncoder.encodeStreaming(Null()) == Array("null".utf8))
        #expect(try StreamingJSONEncoder.encodeStreaming("x") == Array(#""x""#.utf8))
        #expect(try StreamingJSONEncoder.encodeStreaming([[1], [], [2, 3]]) == Array("[[1],[],[2,3]]".utf8))
    }

    @Test func nestedContainersCloseBeforeTheirParentWritesOn() throws {
        struct Nested: Encodable {
            enum Keys: String, CodingKey { case a, b, c, d }
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: Keys.self)
                var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try inner.encode(1, forKey: .b)
                var list = inner.nestedUnkeyedContainer(forKey: .c)
                try list.encode("x")
                var deeper = list.nestedContainer(keyedBy: Keys.self)
                try deeper.encode(true, forKey: .d)
                try list.encode("y")
                try outer.encode(2, forKey: .b)
            }
        }
        #expect(
            String(decoding: try StreamingJSONEncoder.encodeStreaming(Nested()), as: UTF8.self)
                == #"{"a":{"b":1,"c":["x",{"d":true},"y"]},"b":2}"#)
        try Self.expectSameJSON(Nested())
    }

    @Test func nonFiniteNumbersAreRefusedAsJSONEncoderRefusesThem() {
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.encode(["x": Double.nan]) }
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.encode([Double.infinity]) }
    }

    @Test func whatStreamingCannotWriteFallsBackToJSONEncoder() throws {
        /// Writes a key twice: JSONEncoder keeps the last value.
        struct TwiceKeyed: Encodable {
            enum Keys: String, CodingKey { case a }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(1, forKey: .a)
                try container.encode(2, forKey: .a)
            }
        }
        /// Goes back to a nested container after its parent wrote on.
        struct BackToAClosedContainer: Encodable {
            enum Keys: String, CodingKey { case a, b, c }
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: Keys.self)
                var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try outer.encode(1, forKey: .b)
                try inner.encode(2, forKey: .c)
            }
        }
        /// Uses a super encoder.
        struct WithSuper: Encodable {
            enum Keys: String, CodingKey { case a }
            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: Keys.self)
                var parent = outer.superEncoder().singleValueContainer()
                try parent.encode("p")
            }
        }
        for value in [TwiceKeyed() as any Encodable, BackToAClosedContainer(), WithSuper()] {
            #expect(throws: StreamingJSONEncoder.Unsupported.self) { try StreamingJSONEncoder.encodeStreaming(value) }
            let fallback = try StreamingJSONEncoder.encode(value)
            #expect(try Self.canonical(Data(fallback)) == Self.canonical(JSONEncoder().encode(value)))
        }
    }

    @Test(arguments: [1_796_364_624.7, 0, -1.5, -62_000_000_000, 253_402_300_799.9])
    func iso8601DatesAreWrittenAsJSONEncoderWritesThem(secondsSince1970: Double) throws {
        let dates = ["at": Date(timeIntervalSince1970: secondsSince1970)]
        let foundation = JSONEncoder()
        foundation.dateEncodingStrategy = .iso8601
        let expected = String(decoding: try foundation.encode(dates), as: UTF8.self)
        let streamed = String(decoding: try StreamingJSONEncoder.encodeStreaming(dates, iso8601Dates: true), as: UTF8.self)
        #expect(streamed == expected)
    }

    @Test func mesosJSONUsesTheStreamingEncoder() throws {
        let bytes = try MesosJSON.encode(Fixtures.task)
        #expect(bytes == (try StreamingJSONEncoder.encodeStreaming(Fixtures.task)))
    }
}
