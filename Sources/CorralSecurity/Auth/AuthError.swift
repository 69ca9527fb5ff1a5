import Foundation

/// Why an authentication or authorization file could not be used, or why a credential was
/// refused. The message says what was wrong and what to do.
public struct AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reads a small secret or key file, with an error naming the file and the flag it came from.
enum AuthFile {
    static func read(_ path: String, what: String) throws(AuthError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuthError("the \(what) file '\(path)' does not exist or cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AuthError("the \(what) file '\(path)' is not UTF-8 text")
        }
        return text
    }
}
