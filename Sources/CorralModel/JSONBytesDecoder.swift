import Foundation

/// Decodes `Decodable` values from JSON bytes, for the hot paths (the master's log entries,
/// events, container records): it parses the text once into a flat `JSONDocument` and reads
/// an object's fields by comparing key bytes, where Foundation's `JSONDecoder` builds a
/// dictionary for every object it reads.
///
/// It reads what `JSONDecoder()` reads with its default strategies (`Data` from base64,
/// `Date` from seconds since 2001, or ISO 8601 with `iso8601Dates`), and gives the same
/// values. Anything it does not read the same way (a malformed text, a type mismatch, a
/// `Decimal`, a `superDecoder`) makes it hand
/// the text to `JSONDecoder`, which decides: so errors, and their messages, are Foundation's.
/// A key given twice counts the first time, as in `JSONDecoder`.
public enum JSONBytesDecoder {
    /// The value `bytes` hold.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], iso8601Dates: Bool = false) throws -> T {
        if let value = try? decodeFast(type, from: bytes, iso8601Dates: iso8601Dates) { return value }
        let decoder = JSONDecoder()
        if iso8601Dates { decoder.dateDecodingStrategy = .iso8601 }
        return try decoder.decode(type, from: Data(bytes))
    }

    /// The value `bytes` hold, or an error without the fallback (for tests).
    public static func decodeFast<T: Decodable>(_ type: T.Type, from bytes: [UInt8], iso8601Dates: Bool = false) throws -> T {
        guard let document = JSONDocument(bytes) else { throw Failure() }
        let options = Options(iso8601Dates: iso8601Dates)
        return try JSONNodeDecoder(document: document, options: options, index: 0, parent: nil, key: nil).read(type, at: 0)
    }

    /// Why the fast path gave up; `decode` then asks `JSONDecoder`.
    public struct Failure: Error {}

    struct Options {
        var iso8601Dates: Bool
    }
}

/// One value of a `JSONDocument` as a `Decoder`.
final class JSONNodeDecoder: Decoder {
    let document: JSONDocument
    let options: JSONBytesDecoder.Options
    let index: Int
    private let parent: JSONNodeDecoder?
    private let key: (any CodingKey)?

    init(document: JSONDocument, options: JSONBytesDecoder.Options, index: Int, parent: JSONNodeDecoder?, key: (any CodingKey)?) {
        self.document = document
        self.options = options
        self.index = index
        self.parent = parent
        self.key = key
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var decoder: JSONNodeDecoder? = self
        while let current = decoder, let key = current.key {
            path.append(key)
            decoder = current.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document.nodes[index].kind == .object else { throw JSONBytesDecoder.Failure() }
        return KeyedDecodingContainer(JSONKeyedReader<Key>(decoder: self, object: index))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard document.nodes[index].kind == .array else { throw JSONBytesDecoder.Failure() }
        return JSONUnkeyedReader(decoder: self, array: index)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// A decoder for the value at node `child`, reached by `key`.
    func child(_ child: Int, key: any CodingKey) -> JSONNodeDecoder {
        JSONNodeDecoder(document: document, options: options, index: child, parent: self, key: key)
    }

    // MARK: - Reading one node

    /// Reads node `at` as `T`: scalars directly, Foundation's special types as `JSONDecoder`
    /// does, anything else through its own `init(from:)`.
    func read<T: Decodable>(_ type: T.Type, at node: Int, key: (any CodingKey)? = nil) throws -> T {
        switch type {
        case is String.Type: return try readString(node) as! T
        case is Bool.Type: return try readBool(node) as! T
        case is Int.Type: return try readInteger(node, Int.self) as! T
        case is Int64.Type: return try readInteger(node, Int64.self) as! T
        case is Int32.Type: return try readInteger(node, Int32.self) as! T
        case is UInt64.Type: return try readInteger(node, UInt64.self) as! T
        case is UInt32.Type: return try readInteger(node, UInt32.self) as! T
        case is UInt.Type: return try readInteger(node, UInt.self) as! T
        case is Double.Type: return try readDouble(node) as! T
        case is Data.Type:
            guard let data = Data(base64Encoded: try readString(node)) else { throw JSONBytesDecoder.Failure() }
            return data as! T
        case is Date.Type: return try readDate(node) as! T
        case is URL.Type:
            guard let url = URL(string: try readString(node)) else { throw JSONBytesDecoder.Failure() }
            return url as! T
        case is Decimal.Type: throw JSONBytesDecoder.Failure()
        default:
            // Without a key, `node` is this decoder's own (the top, or a single-value container).
            return try T(from: key.map { child(node, key: $0) } ?? self)
        }
    }

    func readString(_ node: Int) throws -> String {
        guard document.nodes[node].kind == .string, let text = document.string(node) else { throw JSONBytesDecoder.Failure() }
        return text
    }

    func readBool(_ node: Int) throws -> Bool {
        switch document.nodes[node].kind {
        case .true: return true
        case .false: return false
        default: throw JSONBytesDecoder.Failure()
        }
    }

    /// An integer; written with a fraction or an exponent (`1.0`, `1e3`) it counts when it is a
    /// whole number the type holds, as in `JSONDecoder`.
    func readInteger<I: FixedWidthInteger>(_ node: Int, _ type: I.Type) throws -> I {
        guard document.nodes[node].kind == .number else { throw JSONBytesDecoder.Failure() }
        let text = document.numberText(node)
        if let value = I(text, radix: 10) { return value }
        guard text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let double = Double(text),
            double.isFinite, let value = I(exactly: double)
        else { throw JSONBytesDecoder.Failure() }
        return value
    }

    func readDouble(_ node: Int) throws -> Double {
        guard document.nodes[node].kind == .number, let value = Double(document.numberText(node)), value.isFinite else {
            throw JSONBytesDecoder.Failure()
        }
        return value
    }

    func readDate(_ node: Int) throws -> Date {
        guard options.iso8601Dates else { return Date(timeIntervalSinceReferenceDate: try readDouble(node)) }
        guard let date = try? Date.ISO8601FormatStyle().parse(try readString(node)) else { throw JSONBytesDecoder.Failure() }
        return date
    }
}

extension JSONNodeDecoder: SingleValueDecodingContainer {
    func decodeNil() -> Bool { document.nodes[index].kind == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try readBool(index) }
    func decode(_ type: String.Type) throws -> String { try readString(index) }
    func decode(_ type: Double.Type) throws -> Double { try readDouble(index) }
    func decode(_ type: Float.Type) throws -> Float {
        guard document.nodes[index].kind == .number, let value = Float(document.numberText(index)), value.isFinite else {
            throw JSONBytesDecoder.Failure()
        }
        return value
    }
    func decode(_ type: Int.Type) throws -> Int { try readInteger(index, Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try readInteger(index, Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try readInteger(index, Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try readInteger(index, Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try readInteger(index, Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try readInteger(index, UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try readInteger(index, UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try readInteger(index, UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try readInteger(index, UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try readInteger(index, UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try read(type, at: index) }
}

/// An array index as a coding key.
struct JSONIndexKey: CodingKey {
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }
    let index: Int
    init(_ index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
}
