import Foundation

/// Compact JSON straight from `Encodable`, written byte by byte as the value encodes itself,
/// for the hot paths (registry records, events, checkpoints): Foundation's `JSONEncoder`
/// first builds a tree of every value and a dictionary per object, which was a fifth of the
/// master's and the agent's CPU per task.
///
/// The output means what `JSONEncoder()`'s does with its default strategies: `Data` as
/// base64, `Date` as seconds since 2001, `URL` as its absolute string, `Decimal` as a number,
/// an `encodeIfPresent(nil)` field left out, a value that encodes nothing as `{}`, NaN and
/// infinities refused, `/` escaped as `\/`. Keys come in the order the value encodes them.
/// What streaming cannot express (a container used again after a later one was written to,
/// `superEncoder`, one single-value container written twice, a key written twice) throws
/// `StreamingJSONEncoder.Unsupported`; `encode(_:)` then falls back to `JSONEncoder`.
/// Coding paths are not tracked (building one per field cost as much as the rest): a value
/// sees an empty `codingPath`, and a NaN is refused without its path.
public enum StreamingJSONEncoder {
    /// `value` as compact JSON, falling back to `JSONEncoder` where streaming cannot follow.
    ///
    /// - Parameter iso8601Dates: dates as `JSONEncoder`'s `.iso8601` strategy writes them
    ///   (`2026-12-04T06:10:24Z`, whole seconds, UTC) instead of seconds since 2001.
    public static func encode<T: Encodable>(_ value: T, iso8601Dates: Bool = false) throws -> [UInt8] {
        do {
            return try encodeStreaming(value, iso8601Dates: iso8601Dates)
        } catch is Unsupported {
            let encoder = JSONEncoder()
            if iso8601Dates { encoder.dateEncodingStrategy = .iso8601 }
            return [UInt8](try encoder.encode(value))
        }
    }

    /// `value` as compact JSON, or `Unsupported` (for tests: no fallback).
    public static func encodeStreaming<T: Encodable>(_ value: T, iso8601Dates: Bool = false) throws -> [UInt8] {
        let writer = JSONStreamWriter()
        writer.iso8601Dates = iso8601Dates
        try writer.encodeValue(value, depth: 0, codingPath: [])
        if let failure = writer.failure { throw failure }
        writer.close(deeperThan: -1)
        return writer.bytes
    }

    /// The value used a pattern streaming cannot write.
    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }
}

/// The output and the stack of open objects and arrays, each owned by one container.
final class JSONStreamWriter {
    var bytes: [UInt8] = []
    /// Dates as ISO 8601 text rather than seconds since 2001.
    var iso8601Dates = false
    /// Set when the value used what streaming cannot write; the encode fails with it.
    var failure: (any Error)?
    /// Open containers, innermost last: the closing byte and the owner's identity.
    private var open: [(close: UInt8, owner: ObjectIdentifier, depth: Int)] = []

    init() { bytes.reserveCapacity(512) }

    /// Closes every container opened deeper than `depth` (they are finished once a shallower
    /// container writes again, or their value's `encode(to:)` returned).
    func close(deeperThan depth: Int) {
        while let last = open.last, last.depth > depth {
            bytes.append(last.close)
            open.removeLast()
        }
    }

    /// Opens `{` or `[` for `owner`, at `depth`.
    func push(_ opening: UInt8, _ closing: UInt8, owner: AnyObject, depth: Int) {
        close(deeperThan: depth - 1)
        bytes.append(opening)
        open.append((closing, ObjectIdentifier(owner), depth))
    }

    /// Before a container at `depth` writes: its own bracket must be the innermost open one.
    func prepareWrite(owner: AnyObject, depth: Int) throws {
        close(deeperThan: depth)
        guard let last = open.last, last.owner == ObjectIdentifier(owner) else {
            throw fail("a container was written to after it was closed")
        }
    }

    /// Encodes one value at `depth`: the special cases `JSONEncoder` has, then scalars, then
    /// the value's own `encode(to:)`.
    func encodeValue<T: Encodable>(_ value: T, depth: Int, codingPath: [any CodingKey]) throws {
        // Type checks by metatype (pointer compares), not `as?` casts: they run for every value.
        if T.self == String.self { return writeString(Self.same(value, String.self)) }
        if T.self == Int.self { return writeInteger(Self.same(value, Int.self)) }
        if T.self == Bool.self { return bytes.append(contentsOf: Self.same(value, Bool.self) ? Self.trueBytes : Self.falseBytes) }
        if T.self == Double.self { return try writeFloatingPoint(Self.same(value, Double.self), codingPath) }
        if T.self == UInt64.self { return writeInteger(Self.same(value, UInt64.self)) }
        if T.self == Int64.self { return writeInteger(Self.same(value, Int64.self)) }
        if T.self == Int32.self { return writeInteger(Self.same(value, Int32.self)) }
        if T.self == UInt32.self { return writeInteger(Self.same(value, UInt32.self)) }
        if T.self == UInt.self { return writeInteger(Self.same(value, UInt.self)) }
        if T.self == Int16.self { return writeInteger(Self.same(value, Int16.self)) }
        if T.self == UInt16.self { return writeInteger(Self.same(value, UInt16.self)) }
        if T.self == Int8.self { return writeInteger(Self.same(value, Int8.self)) }
        if T.self == UInt8.self { return writeInteger(Self.same(value, UInt8.self)) }
        if T.self == Float.self { return try writeFloatingPoint(Self.same(value, Float.self), codingPath) }
        // The types JSONEncoder writes its own way rather than as they encode themselves.
        if T.self == Data.self { return writeString(Self.same(value, Data.self).base64EncodedString()) }
        if T.self == URL.self { return writeString(Self.same(value, URL.self).absoluteString) }
        if T.self == Date.self && iso8601Dates { return writeISO8601(Self.same(value, Date.self)) }
        if T.self == Decimal.self { return bytes.append(contentsOf: Self.same(value, Decimal.self).description.utf8) }
        let encoder = StreamingEncoder(writer: self, depth: depth + 1, codingPath: codingPath)
        let before = bytes.count
        try value.encode(to: encoder)
        close(deeperThan: depth)
        if bytes.count == before { bytes.append(contentsOf: Self.emptyObject) }
    }

    /// `value` as `U`, which the caller checked is its type.
    @inline(__always)
    private static func same<T, U>(_ value: T, _ type: U.Type) -> U { unsafeBitCast(value, to: U.self) }

    static let trueBytes = Array("true".utf8)
    static let falseBytes = Array("false".utf8)
    static let nullBytes = Array("null".utf8)
    static let emptyObject = Array("{}".utf8)

    func writeNull() { bytes.append(contentsOf: Self.nullBytes) }

    func writeInteger<N: BinaryInteger>(_ number: N) {
        if number >= 0 && number < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(number))
        } else {
            bytes.append(contentsOf: number.description.utf8)
        }
    }

    /// A finite number as Swift prints it, an integral one without the ".0" (as JSONEncoder).
    func writeFloatingPoint<F: BinaryFloatingPoint & CustomStringConvertible>(_ number: F, _ codingPath: [any CodingKey]) throws {
        guard number.isFinite else {
            throw EncodingError.invalidValue(
                number, .init(codingPath: codingPath, debugDescription: "Unable to encode \(number) directly in JSON."))
        }
        var text = number.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ` in UTC, the fraction dropped, as `ISO8601DateFormatter` writes it
    /// (which, before the Gregorian calendar began in 1582, counts Julian days: those dates
    /// are left to it).
    func writeISO8601(_ date: Date) {
        let text: String
        if date.timeIntervalSince1970 < Self.gregorianStart {
            text = ISO8601DateFormatter().string(from: date)
        } else {
            var seconds = time_t(floor(date.timeIntervalSince1970))
            var parts = tm()
            gmtime_r(&seconds, &parts)
            func two(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
            text = "\(Int(parts.tm_year) + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
                + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
        }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: text.utf8)
        bytes.append(UInt8(ascii: "\""))
    }

    /// 1583-01-01T00:00:00Z, the first whole year of the Gregorian calendar.
    static let gregorianStart: Double = -12_212_553_600

    func writeString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            // Most strings (keys, IDs, names) need no escape: one append.
            if !utf8.contains(where: Self.needsEscape) {
                bytes.append(contentsOf: utf8)
            } else {
                for byte in utf8 { appendEscaped(byte) }
            }
            bytes.append(UInt8(ascii: "\""))
        }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "/")
    }

    private func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(UInt8(ascii: "\\")); bytes.append(byte)
        case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "f"))
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            bytes.append(contentsOf: Array("\\u00".utf8))
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0xF)])
        default: bytes.append(byte)
        }
    }
}
