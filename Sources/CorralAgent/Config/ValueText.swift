import CorralModel

/// Mesos's text form of a `Value` (`src/common/values.cpp`, `values::parse`): `[a-b,c-d]` is
/// ranges, `{a,b}` a set, a number a scalar, anything else text. Shared by the resource and
/// attribute parsers; a failure is a message about the value alone, and the caller names the
/// field and the item it came from.
enum ValueText: Equatable {
    case scalar(Scalar)
    case ranges(Ranges)
    case set([String])
    case text(String)

    /// A failure to read a value: what was wrong, e.g. `"abc" is not a number`.
    struct Failure: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Reads a value; surrounding whitespace is ignored.
    static func parse(_ raw: Substring) throws(Failure) -> ValueText {
        let text = raw.trimmed
        guard !text.isEmpty else { throw Failure("the value is empty") }
        if text.first == "[" { return .ranges(try ranges(text)) }
        if text.first == "{" { return .set(try set(text)) }
        if let number = Double(text) {
            guard let scalar = Scalar(exactly: number) else {
                throw Failure("\"\(text)\" is not a finite number of at most 9e15")
            }
            return .scalar(scalar)
        }
        if let bad = text.first(where: { "[]{}(),".contains($0) || $0.isWhitespace || $0.isNewline }) {
            throw Failure("\"\(text)\" is neither a number, [ranges], {set} nor plain text (\"\(bad)\" is not allowed in text)")
        }
        return .text(String(text))
    }

    /// Reads a number where only a number will do.
    static func scalar(_ raw: Substring) throws(Failure) -> Scalar {
        switch try parse(raw) {
        case .scalar(let value): return value
        default: throw Failure("\"\(raw.trimmed)\" is not a number")
        }
    }

    /// `[31000-32000, 40000-40010]`; `[]` is no ranges. Each bound is an unsigned integer and
    /// `begin <= end`.
    private static func ranges(_ text: Substring) throws(Failure) -> Ranges {
        guard text.last == "]" else { throw Failure("\"\(text)\" opens [ranges] but does not close them with ]") }
        let inner = text.dropFirst().dropLast().trimmed
        if inner.isEmpty { return Ranges() }
        var result: [ValueRange] = []
        for piece in inner.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = piece.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 2 else {
                throw Failure("\"\(piece.trimmed)\" in \(text) is not a range begin-end")
            }
            guard let begin = UInt64(bounds[0].trimmed), let end = UInt64(bounds[1].trimmed) else {
                throw Failure("\"\(piece.trimmed)\" in \(text) is not a range of unsigned integers begin-end")
            }
            guard begin <= end else { throw Failure("the range \(begin)-\(end) in \(text) ends before it begins") }
            result.append(ValueRange(begin: begin, end: end))
        }
        return Ranges(result)
    }

    /// `{a,b,c}`; items are trimmed and must not be empty.
    private static func set(_ text: Substring) throws(Failure) -> [String] {
        guard text.last == "}" else { throw Failure("\"\(text)\" opens a {set} but does not close it with }") }
        let inner = text.dropFirst().dropLast().trimmed
        if inner.isEmpty { return [] }
        var items: [String] = []
        for item in inner.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = item.trimmed
            guard !trimmed.isEmpty else { throw Failure("\(text) has an empty item") }
            items.append(String(trimmed))
        }
        return items
    }
}

extension Substring {
    /// Without leading and trailing whitespace.
    var trimmed: Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<Swift.max(start, end)]
    }
}
