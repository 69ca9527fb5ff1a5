/// Finds the TOML that makes TOMLKit's parser (toml++) abort the process, before it sees it.
///
/// toml++ asserts, ending the process, on two kinds of malformed text that
/// `corral fuzz master-config` and `agent-config` found: a `[table]` or `[[array]]` header whose first key starts
/// with a character that is neither a bare-key character nor a quote (`[%a]`, `[[[a]]]`),
/// and a `}` where an array expects a value (`x = [1, }]`). Corral checks the text first and
/// refuses both with their line number. The scan follows TOML's lexical structure (strings,
/// multi-line strings, comments, values spanning lines), so a `[` inside a value is never
/// taken for a header.
public enum TOMLAbortGuard {
    /// A description of the first construct toml++ would abort on, or nil when there is none.
    public static func problem(in text: String) -> String? {
        let bytes = Array(text.utf8)
        var index = 0
        var line = 1
        var open: [UInt8] = []  // brackets and braces open in the current value
        var atStatementStart = true
        var expectingArrayValue = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                if open.isEmpty { atStatementStart = true }
                index += 1
                continue
            }
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "#") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                continue
            }
            if byte == UInt8(ascii: "}") && expectingArrayValue {
                return "line \(line): '}' where the array expects a value or ']'"
            }
            expectingArrayValue = false
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                index = skipString(bytes, from: index, line: &line)
            case UInt8(ascii: "[") where atStatementStart:
                var next = index + 1
                if next < bytes.count, bytes[next] == UInt8(ascii: "[") { next += 1 }
                while next < bytes.count, bytes[next] == UInt8(ascii: " ") || bytes[next] == UInt8(ascii: "\t") { next += 1 }
                if next < bytes.count, !startsKey(bytes[next]) {
                    return "line \(line): a table header's name must start with a letter, digit, '_', '-' or a quote"
                }
                index = next
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                open.append(byte)
                expectingArrayValue = byte == UInt8(ascii: "[")
                index += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if !open.isEmpty { open.removeLast() }
                index += 1
            case UInt8(ascii: ","):
                expectingArrayValue = open.last == UInt8(ascii: "[")
                index += 1
            default:
                index += 1
            }
            atStatementStart = false
        }
        return nil
    }

    private static func startsKey(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"):
            true
        default: false
        }
    }

    /// The index after the string starting at `start` (basic, literal, or either multi-line).
    private static func skipString(_ bytes: [UInt8], from start: Int, line: inout Int) -> Int {
        let quote = bytes[start]
        let multiLine = start + 2 < bytes.count && bytes[start + 1] == quote && bytes[start + 2] == quote
        var index = start + (multiLine ? 3 : 1)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { line += 1 }
                index += 2
                continue
            }
            if byte == UInt8(ascii: "\n") {
                guard multiLine else { return index }  // an unterminated string; toml++ reports it
                line += 1
            }
            if byte == quote {
                if !multiLine { return index + 1 }
                if index + 2 < bytes.count, bytes[index + 1] == quote, bytes[index + 2] == quote { return index + 3 }
            }
            index += 1
        }
        return index
    }
}
