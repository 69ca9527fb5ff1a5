import Foundation

/// The principals and secrets HTTP Basic authentication accepts, read from a credentials file
/// in either of Mesos's formats: JSON, `{"credentials": [{"principal": "p", "secret": "s"}]}`,
/// or text with one `principal secret` pair per line (blank lines and `#` comments skipped).
public struct Credentials: Sendable, Equatable {
    /// Secrets by principal.
    public let secrets: [String: String]

    public init(_ secrets: [String: String]) { self.secrets = secrets }

    /// Reads the credentials file at `path` (`--credentials`).
    public static func load(path: String) throws(AuthError) -> Credentials {
        try parse(try AuthFile.read(path, what: "credentials"), source: path)
    }

    private struct File: Decodable {
        struct Entry: Decodable {
            var principal: String
            var secret: String
        }
        var credentials: [Entry]
    }

    /// Parses a credentials file's text; `source` names it in errors.
    public static func parse(_ text: String, source: String = "credentials") throws(AuthError) -> Credentials {
        var secrets: [String: String] = [:]
        func add(_ principal: String, _ secret: String, _ place: String) throws(AuthError) {
            guard !principal.isEmpty, !secret.isEmpty else { throw AuthError("\(source)\(place): a principal and a secret may not be empty") }
            guard !principal.contains(":") else {
                throw AuthError("\(source)\(place): principal '\(principal)' contains ':', which HTTP Basic cannot carry")
            }
            guard secrets[principal] == nil else { throw AuthError("\(source)\(place): principal '\(principal)' is listed twice") }
            secrets[principal] = secret
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("{") {
            let file: File
            do {
                file = try JSONDecoder().decode(File.self, from: Data(trimmed.utf8))
            } catch {
                throw AuthError(
                    "\(source) is not a credentials file: expected {\"credentials\": [{\"principal\": \"...\", \"secret\": \"...\"}]} (\(error))")
            }
            for (index, entry) in file.credentials.enumerated() { try add(entry.principal, entry.secret, " credentials[\(index)]") }
        } else {
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
                if words.isEmpty || words[0].hasPrefix("#") { continue }
                guard words.count == 2 else {
                    throw AuthError("\(source) line \(index + 1): expected 'principal secret' (two words), found \(words.count)")
                }
                try add(String(words[0]), String(words[1]), " line \(index + 1)")
            }
        }
        guard !secrets.isEmpty else { throw AuthError("\(source) lists no credentials") }
        return Credentials(secrets)
    }

    /// Whether `secret` is `principal`'s. The secrets are compared in constant time (for a
    /// given length), and an unknown principal costs the same comparison.
    public func verify(principal: String, secret: String) -> Bool {
        let expected = secrets[principal]
        let matches = ConstantTime.equal(Array((expected ?? secret + "x").utf8), Array(secret.utf8))
        return expected != nil && matches
    }
}

/// Comparisons whose time does not depend on where two byte strings first differ.
public enum ConstantTime {
    /// Whether `a` and `b` are equal; every byte of the longer one is read.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count) | (a.count == b.count ? 0 : 1)
        let count = max(a.count, b.count)
        for index in 0..<count {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
