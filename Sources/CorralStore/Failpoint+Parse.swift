/// A `CORRAL_FAILPOINTS` value that does not follow the grammar: names the variable, the bad
/// part and what was expected.
public struct FailpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The part of the value that is wrong, e.g. `raft.fsync=slep(3ms)`.
    public var part: String
    /// What is wrong with it and what would be right.
    public var problem: String

    public var description: String {
        "\(Failpoints.variable): '\(part)': \(problem) (grammar: NAME=ACTION[@OPTION,...] separated by ';'; "
            + "ACTION is sleep(DURATION), error(ERRNO) or abort, or trigger for agent.stream.desync; OPTION is p=PROBABILITY, count=N or path=PREFIX; see Chaos/README.md)"
    }
}

extension Failpoint {
    /// Reads a list of failpoints:
    ///
    ///     spec     = [point] { ";" [point] }
    ///     point    = NAME "=" action [ "@" option { "," option } ]
    ///     action   = "sleep(" DURATION ")" | "error(" ERRNO ")" | "abort" | "trigger"
    ///     DURATION = digits ( "us" | "ms" | "s" )        e.g. 300ms
    ///     ERRNO    = ENOSPC | EIO | EDQUOT | EROFS | ENOMEM | digits
    ///     option   = "p=" number (0 < p ≤ 1) | "count=" digits (≥ 1) | "path=" PREFIX
    ///
    /// NAME must be one of `Failpoints.sites`; `trigger` is the action of the sites in
    /// `Failpoints.triggerSites`, and theirs only. Spaces around the parts are ignored; an empty
    /// value is no failpoint. Example: `raft.fsync=sleep(300ms);lmdb.commit=error(ENOSPC)@p=0.1,count=5`.
    public static func parse(_ spec: String) throws(FailpointError) -> [Failpoint] {
        var points: [Failpoint] = []
        for part in spec.split(separator: ";", omittingEmptySubsequences: false) {
            let text = trimmed(part)
            if text.isEmpty { continue }
            points.append(try parsePoint(text))
        }
        return points
    }

    private static func parsePoint(_ text: String) throws(FailpointError) -> Failpoint {
        guard let equals = text.firstIndex(of: "=") else {
            throw FailpointError(part: text, problem: "no '=': expected NAME=ACTION")
        }
        let name = trimmed(text[..<equals])
        guard Failpoints.sites[name] != nil else {
            let known = Failpoints.sites.keys.sorted().joined(separator: ", ")
            throw FailpointError(part: text, problem: "unknown failpoint '\(name)'; the known ones are \(known)")
        }
        let rest = text[text.index(after: equals)...]
        let actionText: String
        let optionsText: String?
        if let at = rest.firstIndex(of: "@") {
            actionText = trimmed(rest[..<at])
            optionsText = String(rest[rest.index(after: at)...])
        } else {
            actionText = trimmed(rest)
            optionsText = nil
        }
        var point = Failpoint(name: name, action: try parseAction(actionText, in: text))
        let triggered = Failpoints.triggerSites.contains(name)
        if triggered != (point.action == .trigger) {
            throw FailpointError(
                part: text,
                problem: triggered
                    ? "\(name) takes the action trigger (it does its own fault)"
                    : "trigger is only for \(Failpoints.triggerSites.sorted().joined(separator: ", ")); \(name) takes sleep(DURATION), error(ERRNO) or abort")
        }
        for option in optionsText.map({ $0.split(separator: ",", omittingEmptySubsequences: false) }) ?? [] {
            try apply(trimmed(option), to: &point, in: text)
        }
        return point
    }

    private static func parseAction(_ text: String, in part: String) throws(FailpointError) -> Action {
        if text == "abort" { return .abort }
        if text == "trigger" { return .trigger }
        if let argument = argument(of: "sleep", in: text) {
            guard let duration = parseDuration(argument) else {
                throw FailpointError(part: part, problem: "bad duration '\(argument)' in sleep(): expected digits and us, ms or s, e.g. 300ms")
            }
            return .sleep(duration)
        }
        if let argument = argument(of: "error", in: text) {
            if let code = errnoNames[argument] { return .error(code) }
            guard let code = Int32(argument), (1...4095).contains(code) else {
                let names = errnoNames.keys.sorted().joined(separator: ", ")
                throw FailpointError(part: part, problem: "bad errno '\(argument)' in error(): expected \(names) or a number 1-4095")
            }
            return .error(code)
        }
        throw FailpointError(part: part, problem: "unknown action '\(text)': expected sleep(DURATION), error(ERRNO), abort or trigger")
    }

    private static func apply(_ option: String, to point: inout Failpoint, in part: String) throws(FailpointError) {
        let pieces = option.split(separator: "=", maxSplits: 1).map { trimmed($0) }
        let key = pieces.first ?? "", value = pieces.count == 2 ? pieces[1] : ""
        switch key {
        case "p":
            guard let p = Double(value), p > 0, p <= 1 else {
                throw FailpointError(part: part, problem: "bad probability '\(value)': expected a number with 0 < p <= 1")
            }
            point.probability = p
        case "count":
            guard let count = Int(value), count >= 1 else {
                throw FailpointError(part: part, problem: "bad count '\(value)': expected a whole number >= 1")
            }
            point.count = count
        case "path":
            guard !value.isEmpty else { throw FailpointError(part: part, problem: "empty path= prefix") }
            point.pathPrefix = value
        default:
            throw FailpointError(part: part, problem: "unknown option '\(option)': expected p=PROBABILITY, count=N or path=PREFIX")
        }
    }

    /// `inner` of `name(inner)`, or nil when `text` is not that shape.
    private static func argument(of name: String, in text: String) -> String? {
        guard text.hasPrefix(name + "("), text.hasSuffix(")") else { return nil }
        return trimmed(text.dropFirst(name.count + 1).dropLast())
    }

    private static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("us", 1), ("ms", 1_000), ("s", 1_000_000)]
        for (suffix, micros) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                let value = Int64(digits), value <= 3_600_000_000 / micros
            else { return nil }
            return .microseconds(value * micros)
        }
        return nil
    }

    private static func trimmed(_ text: some StringProtocol) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
