import Foundation
import Testing

@testable import CorralModel

/// The bytes decoder must read every model type exactly as `JSONDecoder` does, on its fast
/// path, and hand anything it does not read the same way to `JSONDecoder`.
@Suite struct JSONBytesDecoderTests {
    /// Decodes `json` both ways, the fast path without fallback: the same value.
    static func expectSame<T: Decodable & Equatable>(
        _ type: T.Type, _ json: String, iso8601: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let foundation = JSONDecoder()
        if iso8601 { foundation.dateDecodingStrategy = .iso8601 }
        let expected = try foundation.decode(type, from: Data(json.utf8))
        let fast = try JSONBytesDecoder.decodeFast(type, from: Array(json.utf8), iso8601Dates: iso8601)
        #expect(fast == expected, sourceLocation: sourceLocation)
    }

    /// Encodes `value` and decodes it both ways.
    static func expectSame<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        try expectSame(T.self, json, sourceLocation: sourceLocation)
        #expect(try JSONBytesDecoder.decodeFast(T.self, from: Array(json.utf8)) == value, sourceLocation: sourceLocation)
    }

    @Test func mesosSamplesReadTheSame() throws {
        try Self.expectSame(SchedulerCall.self, MesosSamples.subscribeCall)
        try Self.expectSame(SchedulerEvent.self, MesosSamples.subscribedEvent)
        try Self.expectSame(SchedulerEvent.self, MesosSamples.offersEvent)
        try Self.expectSame(SchedulerEvent.self, MesosSamples.updateEvent)
        try Self.expectSame(SchedulerCall.self, MesosSamples.acceptLaunchCall)
        try Self.expectSame(SchedulerEvent.self, MesosSamples.errorEvent)
    }

    @Test func modelValuesReadTheSame() throws {
        try Self.expectSame(Fixtures.offer)
        try Self.expectSame(Fixtures.task)
        try Self.expectSame(Fixtures.status)
        try Self.expectSame(Fixtures.framework)
        try Self.expectSame(Fixtures.agent)
        try Self.expectSame([Fixtures.task, Fixtures.task])
        var message = SchedulerEvent(type: .message)
        message.message = .init(agentID: "S", executorID: "E", data: [0xFF, 0, 7])
        try Self.expectSame(message)
    }

    struct Scalars: Codable, Equatable {
        var text: String
        var flag: Bool
        var count: Int
        var big: UInt64
        var small: Int8
        var ratio: Double
        var data: Data
        var date: Date
        var url: URL
        var missing: String?
        var null: Int?
        var list: [Int?]
        var map: [String: [Double]]
        var nested: [[String]]
    }

    @Test func scalarsEscapesAndSpecialTypesReadTheSame() throws {
        let json = #"""
            { "text": "tab\tquote\" slash\/ é \u00e9 \ud83d\ude00 nul\u0000", "flag": true, "count": -42,
              "big": 18446744073709551615, "small": -128, "ratio": 1.5e-3, "data": "AAEC/w==",
              "date": 812345678.25, "url": "http://a/b?c=d", "null": null, "list": [1, null, 3],
              "map": {"a": [1, 2.5], "": []}, "nested": [[], ["x"]] }
            """#
        try Self.expectSame(Scalars.self, json)
        let value = try JSONBytesDecoder.decodeFast(Scalars.self, from: Array(json.utf8))
        #expect(value.text == "tab\tquote\" slash/ é é 😀 nul\u{0}")
        #expect(value.missing == nil && value.null == nil)
    }

    @Test func iso8601DatesReadTheSame() throws {
        struct Stamped: Codable, Equatable { var at: Date }
        try Self.expectSame(Stamped.self, #"{"at":"2026-12-04T06:10:24Z"}"#, iso8601: true)
    }

    @Test func aKeyGivenTwiceCountsTheFirstTimeAsInJSONDecoder() throws {
        struct One: Codable, Equatable { var a: Int }
        try Self.expectSame(One.self, #"{"a":1,"a":2}"#)
        try Self.expectSame([String: Int].self, #"{"a":1,"a":2}"#)
    }

    /// Malformed text is refused by the fast path, and `decode` gives Foundation's answer:
    /// the value (Foundation reads a trailing comma), or Foundation's own error.
    @Test(arguments: [
        ("[1,]", "trailing comma"), ("\"\\ud800\"", "lone surrogate"), ("{\"a\":1", "unterminated"), ("01", "leading zero"),
        ("[" + String(repeating: "[", count: 600) + "]", "too deep"), ("\"a\u{1}\"", "control character"), ("", "empty"),
    ])
    func whatTheFastPathRefusesFoundationDecides(json: String, why: String) {
        #expect(throws: (any Error).self, "\(why)") { try JSONBytesDecoder.decodeFast(FlexibleNumber.self, from: Array(json.utf8)) }
        let foundation = try? JSONDecoder().decode(FlexibleNumber.self, from: Data(json.utf8))
        let decoded = try? JSONBytesDecoder.decode(FlexibleNumber.self, from: Array(json.utf8))
        #expect(decoded == foundation, "\(why)")
    }

    /// Integers in other spellings, and types that try one reading after another (as
    /// `JSONValue` does), come out as they do from `JSONDecoder`.
    @Test(arguments: ["1.0", "1e2", "-0", "2.5", "300", "1e400", "\"7\"", "[1, 2.0]", "true"])
    func numbersReadTheSame(json: String) throws {
        let bytes = Array(json.utf8)
        let flexible = try? JSONDecoder().decode(FlexibleNumber.self, from: Data(bytes))
        #expect((try? JSONBytesDecoder.decode(FlexibleNumber.self, from: bytes)) == flexible)
        if flexible != nil { try Self.expectSame(FlexibleNumber.self, json) }
        let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        #expect((try? JSONBytesDecoder.decode(JSONValue.self, from: bytes)) == value)
        if value != nil { try Self.expectSame(JSONValue.self, json) }
        #expect(
            (try? JSONBytesDecoder.decode(UInt8.self, from: Array(json.utf8))) == (try? JSONDecoder().decode(UInt8.self, from: Data(json.utf8))))
    }

    /// Either an integer, a list or a string, whatever the text holds (for the fallback test).
    enum FlexibleNumber: Decodable, Equatable {
        case integer(Int), real(Double), list([Int]), text(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .real(value)
            } else if let value = try? container.decode([Int].self) {
                self = .list(value)
            } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    @Test func errorsAreJSONDecodersOwn() {
        struct Needs: Decodable { var id: String }
        let bad = Array(#"{"id": 7}"#.utf8)
        var fast: (any Error)?
        do { _ = try JSONBytesDecoder.decode(Needs.self, from: bad) } catch { fast = error }
        var foundation: (any Error)?
        do { _ = try JSONDecoder().decode(Needs.self, from: Data(bad)) } catch { foundation = error }
        #expect(fast.map { "\($0)" } == foundation.map { "\($0)" })
        #expect(fast is DecodingError)
    }

    @Test func codingPathsNameTheFieldAndIndex() throws {
        struct Inner: Decodable, Equatable {
            var path: [String]
            init(from decoder: any Decoder) throws { path = decoder.codingPath.map(\.stringValue) }
        }
        struct Outer: Decodable { var items: [Inner] }
        let outer = try JSONBytesDecoder.decodeFast(Outer.self, from: Array(#"{"items":[{},{}]}"#.utf8))
        #expect(outer.items.map(\.path) == [["items", "Index 0"], ["items", "Index 1"]])
    }
}
