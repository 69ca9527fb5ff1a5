/// Where a key sits in a TOML config file, for errors that name the line: the decoders say
/// which key was wrong but not where it is.
///
/// Understands the layouts Corral's configs use: top-level keys, `[table]` sections (also
/// dotted, `[a.b]`), `[[array]]` sections counted from 0, and dotted keys (`timing.tick_ms = 5`).
/// Keys inside inline tables are not found (nil).
public enum TOMLKeyLine {
    /// A key's line (from 1) and its value as written.
    public struct Found: Sendable, Equatable {
        public var line: Int
        public var value: String

        public init(line: Int, value: String) {
            self.line = line
            self.value = value
        }
    }

    /// The line of the key at `path` (e.g. `["timing", "tick_ms"]`, `["peers", "[1]", "raft"]`),
    /// or nil when the file does not have it.
    public static func find(_ path: [String], in text: String) -> Found? {
        guard let key = path.last else { return nil }
        let wantedTable = Array(path.dropLast())
        var table: [String] = []
        var arrayCounts: [String: Int] = [:]
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmed(" \t\r")
            if line.hasPrefix("[[") && line.hasSuffix("]]") {
                let name = String(line.dropFirst(2).dropLast(2)).trimmed(" \t")
                let index = arrayCounts[name, default: -1] + 1
                arrayCounts[name] = index
                table = name.split(separator: ".").map(String.init) + ["[\(index)]"]
                continue
            }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                table = line.dropFirst().dropLast().split(separator: ".").map { $0.trimmed(" \t") }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmed(" \t").split(separator: ".").map {
                $0.trimmed(" \t\"")
            }
            guard table + name == wantedTable + [key] else { continue }
            return Found(line: offset + 1, value: withoutComment(line[line.index(after: equals)...].trimmed(" \t")))
        }
        return nil
    }

    /// A value as written, without a trailing `# comment` (a `#` inside quotes is kept).
    static func withoutComment(_ value: String) -> String {
        var quote: Character?
        var escaped = false
        for index in value.indices {
            let character = value[index]
            if let open = quote {
                if escaped {
                    escaped = false
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else if character == open {
                    quote = nil
                }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" {
                return value[..<index].trimmed(" \t")
            }
        }
        return value
    }
}

extension String {
    fileprivate func trimmed(_ set: String) -> String {
        Substring(self).trimmed(set)
    }
}

extension Substring {
    fileprivate func trimmed(_ set: String) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}
