/// The Dockerfile's word rules: quotes ('…' literal, "…" with `$` expansion and `\` escapes),
/// backslash escapes, and variables `$NAME`, `${NAME}`, `${NAME:-default}`, `${NAME:+alternative}`.
///
/// Without a `lookup`, variables are kept as written (the parser's shape checks run before any
/// value is known); with one, an unset variable expands to the empty string, as in Docker.
enum ShellWords {
    /// A lexing problem, said as the rest of a sentence that starts with the instruction.
    struct Problem: Error {
        var message: String
    }

    /// Splits `text` at unquoted spaces and tabs into words.
    static func split(_ text: String, lookup: ((String) -> String?)?) throws(Problem) -> [String] {
        try lex(text, lookup: lookup, splitting: true)
    }

    /// `text` as one word: quotes and escapes removed, variables expanded, spaces kept.
    static func word(_ text: String, lookup: ((String) -> String?)?) throws(Problem) -> String {
        try lex(String(text.trimmingSpaces), lookup: lookup, splitting: false).first ?? ""
    }

    private static func lex(_ text: String, lookup: ((String) -> String?)?, splitting: Bool) throws(Problem)
        -> [String]
    {
        var words: [String] = []
        var current = ""
        var inWord = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            switch character {
            case " " where splitting, "\t" where splitting:
                if inWord { words.append(current) }
                current = ""
                inWord = false
            case "\\":
                current.append(characters.popFirst() ?? "\\")
                inWord = true
            case "'":
                guard let end = characters.firstIndex(of: "'") else {
                    throw Problem(message: "has an unterminated ' quote")
                }
                current += characters[..<end]
                characters = characters[(end + 1)...]
                inWord = true
            case "\"":
                try doubleQuoted(&characters, &current, lookup)
                inWord = true
            case "$":
                current += try variable(&characters, lookup, inQuotes: false)
                inWord = true
            default:
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    private static func doubleQuoted(
        _ characters: inout ArraySlice<Character>,
        _ current: inout String,
        _ lookup: ((String) -> String?)?
    ) throws(Problem) {
        while let character = characters.popFirst() {
            switch character {
            case "\"":
                return
            case "\\":
                if let next = characters.first, next == "\"" || next == "\\" || next == "$" {
                    current.append(next)
                    characters = characters.dropFirst()
                } else {
                    current.append("\\")
                }
            case "$":
                current += try variable(&characters, lookup, inQuotes: true)
            default:
                current.append(character)
            }
        }
        throw Problem(message: "has an unterminated \" quote")
    }

    /// Expands the variable after a `$` (already consumed).
    private static func variable(
        _ characters: inout ArraySlice<Character>,
        _ lookup: ((String) -> String?)?,
        inQuotes: Bool
    ) throws(Problem) -> String {
        if characters.first == "{" {
            guard let close = characters.firstIndex(of: "}") else {
                throw Problem(message: "has an unterminated ${")
            }
            let body = String(characters[characters.index(after: characters.startIndex)..<close])
            characters = characters[(close + 1)...]
            guard let lookup else { return "${" + body + "}" }
            for (separator, whenSet) in [(":-", false), (":+", true)] {
                if let range = body.range(of: separator) {
                    let name = String(body[..<range.lowerBound])
                    try checkName(name)
                    let alternative = try word(String(body[range.upperBound...]), lookup: lookup)
                    let value = lookup(name) ?? ""
                    if whenSet { return value.isEmpty ? "" : alternative }
                    return value.isEmpty ? alternative : value
                }
            }
            try checkName(body)
            return lookup(body) ?? ""
        }
        let name = String(characters.prefix { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        guard !name.isEmpty, !(name.first?.isNumber ?? false) else { return "$" }
        characters = characters.dropFirst(name.count)
        guard let lookup else { return "$" + name }
        return lookup(name) ?? ""
    }

    private static func checkName(_ name: String) throws(Problem) {
        guard let first = name.first, first == "_" || first.isLetter,
            name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) })
        else { throw Problem(message: "has a bad variable name '${\(name)}'") }
    }
}
