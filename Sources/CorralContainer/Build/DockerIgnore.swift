import Glibc

/// The patterns of a `.dockerignore`: which paths of the build context a build does not see.
///
/// Patterns are matched against slash-separated paths relative to the context: `*` and `?` and
/// `[…]` within one component, `**` across any number of components (none included). A pattern
/// that matches a directory matches everything under it. `!pattern` takes a path back; the last
/// pattern that matches a path decides. Leading `/` and `./`, trailing `/`, blank lines and `#`
/// comments are ignored, as Docker does.
public struct DockerIgnore: Sendable, Equatable {
    struct Rule: Sendable, Equatable {
        var components: [String]
        var exception: Bool
    }

    var rules: [Rule]

    /// Parses the text of a `.dockerignore`.
    public init(_ text: String) {
        rules = text.split(whereSeparator: \.isNewline).compactMap { line -> Rule? in
            var pattern = line.trimmingSpaces
            guard !pattern.isEmpty, !pattern.hasPrefix("#") else { return nil }
            let exception = pattern.hasPrefix("!")
            if exception { pattern = pattern.dropFirst().trimmingSpaces }
            let components = DockerIgnore.clean(String(pattern))
            return components.isEmpty ? nil : Rule(components: components, exception: exception)
        }
    }

    /// Whether `path` (relative to the context) is left out of the build.
    public func excludes(_ path: String) -> Bool {
        let components = DockerIgnore.clean(path)
        guard !components.isEmpty else { return false }
        var excluded = false
        for rule in rules where rule.exception == excluded {
            // A rule matches the path itself or any directory above it.
            if (1...components.count).contains(where: { Self.match(rule.components[...], components[..<$0]) })
            {
                excluded = !rule.exception
            }
        }
        return excluded
    }

    /// Whether some `!` rule could take back a path under the excluded directory `path`, so
    /// the directory must still be walked.
    public func mayIncludeUnder(_ path: String) -> Bool {
        let components = DockerIgnore.clean(path)
        return rules.contains { rule in
            rule.exception && (rule.components.contains("**") || rule.components.count > components.count)
                && Self.match(
                    Array(rule.components.prefix(components.count))[...],
                    components[...],
                    prefixOnly: true
                )
        }
    }

    /// Path components without `.`, empty parts, leading `/` or `./` and trailing `/`; `..` resolved lexically.
    static func clean(_ path: String) -> [String] {
        var result: [String] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = result.popLast() } else { result.append(String(part)) }
        }
        return result
    }

    /// Whether `pattern` matches `path` component by component (`**` matching any number).
    static func match(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>, prefixOnly: Bool = false)
        -> Bool
    {
        guard let head = pattern.first else { return path.isEmpty }
        if head == "**" {
            if prefixOnly { return true }
            return (0...path.count).contains { match(pattern.dropFirst(), path.dropFirst($0)) }
        }
        guard let name = path.first else { return prefixOnly }
        guard fnmatch(head, name, 0) == 0 else { return false }
        return match(pattern.dropFirst(), path.dropFirst(), prefixOnly: prefixOnly)
    }
}
