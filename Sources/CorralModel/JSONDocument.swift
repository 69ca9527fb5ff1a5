#if canImport(Glibc)
    import Glibc
#endif

/// JSON text parsed once into a flat list of nodes, for `JSONBytesDecoder`: each value is a
/// node, followed (in document order) by its members or elements, and knows where the next
/// value after it starts, so a decoder skips any value in one step and finds an object's
/// key by comparing bytes, without building a dictionary per object.
final class JSONDocument {
    enum Kind: UInt8 {
        case object, array, string, number, `true`, `false`, null
    }

    struct Node {
        var kind: Kind
        /// A string whose text has escapes or non-ASCII bytes: it must be unescaped and checked
        /// as UTF-8 to be read, where a plain one is read as it stands.
        var escaped: Bool
        /// Byte range of a string's text (without quotes) or a number's.
        var start: Int32
        var end: Int32
        /// Members of an object (key and value pairs) or elements of an array.
        var count: Int32
        /// The index of the node after this value and everything in it.
        var after: Int32
    }

    let bytes: [UInt8]
    private(set) var nodes: [Node] = []

    /// Deeper nesting than this is refused (as Foundation's decoder refuses it).
    static let maximumDepth = 512

    /// Parses `bytes` (one JSON value, whitespace around it allowed); nil if they are not JSON.
    init?(_ bytes: [UInt8]) {
        self.bytes = bytes
        nodes.reserveCapacity(bytes.count / 8 + 4)
        var position = 0
        guard parseValue(&position, depth: 0) else { return nil }
        skipSpace(&position)
        guard position == bytes.count, bytes.count < Int(Int32.max) else { return nil }
    }

    private func skipSpace(_ position: inout Int) {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private func parseValue(_ position: inout Int, depth: Int) -> Bool {
        skipSpace(&position)
        guard position < bytes.count, depth < Self.maximumDepth else { return false }
        switch bytes[position] {
        case UInt8(ascii: "{"): return parseContainer(&position, depth: depth, object: true)
        case UInt8(ascii: "["): return parseContainer(&position, depth: depth, object: false)
        case UInt8(ascii: "\""): return parseString(&position)
        case UInt8(ascii: "t"): return parseLiteral(&position, "true", .true)
        case UInt8(ascii: "f"): return parseLiteral(&position, "false", .false)
        case UInt8(ascii: "n"): return parseLiteral(&position, "null", .null)
        default: return parseNumber(&position)
        }
    }

    private func append(_ kind: Kind, start: Int, end: Int, escaped: Bool = false) {
        let index = Int32(nodes.count)
        nodes.append(Node(kind: kind, escaped: escaped, start: Int32(start), end: Int32(end), count: 0, after: index + 1))
    }

    private func parseContainer(_ position: inout Int, depth: Int, object: Bool) -> Bool {
        let index = nodes.count
        append(object ? .object : .array, start: position, end: position)
        position += 1
        var count: Int32 = 0
        skipSpace(&position)
        let close = UInt8(ascii: object ? "}" : "]")
        if position < bytes.count && bytes[position] == close {
            position += 1
        } else {
            while true {
                if object {
                    skipSpace(&position)
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), parseString(&position) else { return false }
                    skipSpace(&position)
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return false }
                    position += 1
                }
                guard parseValue(&position, depth: depth + 1) else { return false }
                count += 1
                skipSpace(&position)
                guard position < bytes.count else { return false }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                } else if bytes[position] == close {
                    position += 1
                    break
                } else {
                    return false
                }
            }
        }
        nodes[index].count = count
        nodes[index].end = Int32(position)
        nodes[index].after = Int32(nodes.count)
        return true
    }

    private func parseString(_ position: inout Int) -> Bool {
        position += 1
        let start = position
        var escaped = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                append(.string, start: start, end: position, escaped: escaped)
                position += 1
                return true
            }
            if byte < 0x20 { return false }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
                guard position < bytes.count else { return false }
            } else if byte >= 0x80 {
                escaped = true  // checked as UTF-8 when read
            }
            position += 1
        }
        return false
    }

    private func parseLiteral(_ position: inout Int, _ text: StaticString, _ kind: Kind) -> Bool {
        let count = text.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let matches = text.withUTF8Buffer { literal in
            (0..<count).allSatisfy { bytes[position + $0] == literal[$0] }
        }
        guard matches else { return false }
        append(kind, start: position, end: position + count)
        position += count
        return true
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    private func parseNumber(_ position: inout Int) -> Bool {
        let start = position
        func digits() -> Int {
            let first = position
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
            return position - first
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return false }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { return false }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard digits() > 0 else { return false }
        }
        append(.number, start: start, end: position)
        return true
    }

    // MARK: - Reading

    /// The text of string node `index`; nil if its escapes or UTF-8 are bad.
    func string(_ index: Int) -> String? {
        let node = nodes[index]
        let range = Int(node.start)..<Int(node.end)
        guard node.escaped else {
            return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
        }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var position = range.lowerBound
        while position < range.upperBound {
            let byte = bytes[position]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                position += 1
                continue
            }
            position += 1
            switch bytes[position] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(position + 1) else { return nil }
                position += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    guard position + 6 < range.upperBound, bytes[position + 1] == UInt8(ascii: "\\"),
                        bytes[position + 2] == UInt8(ascii: "u"), let low = hex4(position + 3), (0xDC00...0xDFFF).contains(low)
                    else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    position += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    return nil
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: String(Character(unicode)).utf8)
            default:
                return nil
            }
            position += 1
        }
        return String(validating: out, as: UTF8.self)
    }

    private func hex4(_ at: Int) -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[at..<(at + 4)] {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Whether string node `index` (unescaped) spells `key` exactly.
    func stringEquals(_ index: Int, _ key: String) -> Bool {
        let node = nodes[index]
        if node.escaped { return string(index) == key }
        var key = key
        return key.withUTF8 { utf8 in
            guard utf8.count == Int(node.end - node.start) else { return false }
            return bytes.withUnsafeBufferPointer { buffer in
                utf8.isEmpty || memcmp(buffer.baseAddress! + Int(node.start), utf8.baseAddress!, utf8.count) == 0
            }
        }
    }

    /// The text of number node `index`.
    func numberText(_ index: Int) -> Substring {
        let node = nodes[index]
        return Substring(decoding: bytes[Int(node.start)..<Int(node.end)], as: UTF8.self)
    }
}
