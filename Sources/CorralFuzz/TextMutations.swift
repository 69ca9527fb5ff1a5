import CorralScheduler

/// Token-level mutations of text inputs (JSON, TOML, paths): numbers become huge or
/// negative, quotes and brackets vanish or repeat, tokens are duplicated or swapped.
enum TextMutations {
    /// Replacements for a number.
    static let numbers = [
        "-1", "0", "-0", "1e308", "-1e308", "1e999", "18446744073709551616", "9223372036854775807",
        "-9223372036854775809", "4294967296", "0.000000000000000000001", "NaN", "1.5", "0x10", "99999999999999999999999999",
    ]
    /// Text inserted at random places.
    static let fragments = [
        "\"", "{", "}", "[", "]", ",", ":", "=", "\n", "\\", "\\u0000", "\\ud800", "null", "true", "[[", "]]", "..", "/",
        "%", "%2F", "%00", "\u{0}", "\"\"\"", "'", "#", "[[peers]]", "{\"a\":", String(repeating: "[", count: 600),
        String(repeating: "{\"a\":", count: 300),
    ]

    static func apply(to bytes: inout [UInt8], _ random: inout SplitMix64) {
        switch random.next() % 5 {
        case 0: replaceNumber(&bytes, &random)
        case 1: removeStructural(&bytes, &random)
        case 2:
            let fragment = Array(fragments[Int(random.next() % UInt64(fragments.count))].utf8)
            bytes.insert(contentsOf: fragment, at: Int(random.next() % UInt64(bytes.count + 1)))
        case 3: duplicateToken(&bytes, &random)
        default: swapTokens(&bytes, &random)
        }
    }

    /// Each number token: start and end offsets.
    private static func numberRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isNumberByte(bytes[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
            ranges.append(start..<index)
        }
        return ranges
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func replaceNumber(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        let ranges = numberRanges(bytes)
        guard !ranges.isEmpty else { return }
        let range = ranges[Int(random.next() % UInt64(ranges.count))]
        bytes.replaceSubrange(range, with: Array(numbers[Int(random.next() % UInt64(numbers.count))].utf8))
    }

    private static func removeStructural(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        let structural = Array("\"{}[],:=\n".utf8)
        let positions = bytes.indices.filter { structural.contains(bytes[$0]) }
        guard !positions.isEmpty else { return }
        bytes.remove(at: positions[Int(random.next() % UInt64(positions.count))])
    }

    /// Tokens: runs between structural bytes and spaces.
    private static func tokens(_ bytes: [UInt8]) -> [Range<Int>] {
        let separators = Array("\"{}[],:= \n".utf8)
        var ranges: [Range<Int>] = []
        var start = 0
        for index in bytes.indices where separators.contains(bytes[index]) {
            if index > start { ranges.append(start..<index) }
            start = index + 1
        }
        if bytes.count > start { ranges.append(start..<bytes.count) }
        return ranges
    }

    private static func duplicateToken(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        let ranges = tokens(bytes)
        guard let range = ranges.isEmpty ? nil : ranges[Int(random.next() % UInt64(ranges.count))] else { return }
        let token = Array(bytes[range])
        let copies = min([2, 16, 1000][Int(random.next() % 3)], max(1, (64 << 10) / max(1, token.count)))
        bytes.replaceSubrange(range, with: (0..<copies).flatMap { _ in token })
    }

    private static func swapTokens(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        let ranges = tokens(bytes)
        guard ranges.count >= 2 else { return }
        let first = ranges[Int(random.next() % UInt64(ranges.count))]
        let second = ranges[Int(random.next() % UInt64(ranges.count))]
        guard first.upperBound <= second.lowerBound else { return }
        let a = Array(bytes[first])
        let b = Array(bytes[second])
        bytes.replaceSubrange(second, with: a)
        bytes.replaceSubrange(first, with: b)
    }
}
