import Foundation

/// Which endpoint of the distribution API a request path names (the method is checked by the
/// handler). Parsed from the end of the path, because a repository name may itself hold `/`.
enum RegistryRoute: Equatable {
    /// `/v2/`
    case base
    /// `/v2/_catalog`
    case catalog
    /// `/v2/<name>/tags/list`
    case tags(RepositoryName)
    /// `/v2/<name>/manifests/<reference>`
    case manifest(RepositoryName, String)
    /// `/v2/<name>/blobs/<digest>`
    case blob(RepositoryName, String)
    /// `/v2/<name>/blobs/uploads/`
    case uploads(RepositoryName)
    /// `/v2/<name>/blobs/uploads/<id>`
    case upload(RepositoryName, String)

    /// The route of `path` (taken as it came: names, tags and digests need no percent escapes),
    /// or nil when it is not a registry path; a path whose name part breaks the rules throws
    /// `NAME_INVALID`.
    static func parse(_ path: String) throws(RegistryError) -> RegistryRoute? {
        guard path == "/v2" || path.hasPrefix("/v2/") else { return nil }
        let rest = path.dropFirst(4)
        if rest.isEmpty { return .base }
        if rest == "_catalog" { return .catalog }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let count = parts.count
        func name(_ end: Int) throws(RegistryError) -> RepositoryName? {
            guard end > 0 else { return nil }
            return try RepositoryName(parts[0..<end].joined(separator: "/"))
        }
        if count >= 3, parts[count - 2] == "tags", parts[count - 1] == "list" {
            return try name(count - 2).map { .tags($0) }
        }
        if count >= 3, parts[count - 3] == "blobs", parts[count - 2] == "uploads" {
            guard let repository = try name(count - 3) else { return nil }
            return parts[count - 1].isEmpty ? .uploads(repository) : .upload(repository, parts[count - 1])
        }
        if count >= 3, parts[count - 2] == "blobs", parts[count - 1] == "uploads" {
            return try name(count - 2).map { .uploads($0) }
        }
        if count >= 3, parts[count - 2] == "manifests", !parts[count - 1].isEmpty {
            return try name(count - 2).map { .manifest($0, parts[count - 1]) }
        }
        if count >= 3, parts[count - 2] == "blobs", !parts[count - 1].isEmpty {
            return try name(count - 2).map { .blob($0, parts[count - 1]) }
        }
        return nil
    }
}

/// The `?a=b&c=d` part of a URL, percent-decoded.
struct QueryParameters {
    private var values: [String: String] = [:]

    /// Parses `query` (without the `?`).
    init(_ query: String) {
        for pair in query.split(separator: "&") {
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(halves[0])
            values[key] = halves.count > 1 ? Self.decode(halves[1]) : ""
        }
    }

    subscript(_ key: String) -> String? { values[key] }

    private static func decode(_ text: Substring) -> String {
        let plusAsSpace = text.replacingOccurrences(of: "+", with: " ")
        return plusAsSpace.removingPercentEncoding ?? plusAsSpace
    }
}
