/// An image in a registry: `host[:port]/repo/path[:tag|@sha256:…]`.
///
/// The registry must be named: there is no default registry (Corral has no internet to reach
/// one), so `busybox:1.36` or `library/busybox` is refused with a message saying to name it.
public struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// `host` or `host:port`.
    public var registry: String
    /// The repository path, e.g. `library/busybox`.
    public var repository: String
    /// The tag, when the reference names one (`latest` when it names neither tag nor digest).
    public var tag: String?
    /// The manifest digest, when the reference pins one.
    public var digest: Digest?

    /// What the manifest endpoint is asked for: the digest if pinned, else the tag.
    public var manifestReference: String { digest?.description ?? tag ?? "latest" }

    /// `registry/repository[:tag][@digest]`.
    public var description: String {
        var text = registry + "/" + repository
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        return text
    }

    /// Parses `host[:port]/repo/path[:tag|@sha256:…]`; a reference without a tag gets `latest`.
    public init(parsing text: String) throws(ContainerError) {
        var rest = Substring(text)
        if let at = rest.firstIndex(of: "@") {
            digest = try Digest(parsing: String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw Self.noRegistry(text) }
        let host = rest[..<slash]
        // As Docker decides: the first component is a registry when it has a '.' or a ':', or is localhost.
        guard host.contains(".") || host.contains(":") || host == "localhost" else { throw Self.noRegistry(text) }
        registry = String(host)
        var path = rest[rest.index(after: slash)...]
        if let colon = path.lastIndex(of: ":") {
            tag = String(path[path.index(after: colon)...])
            path = path[..<colon]
        } else if digest == nil {
            tag = "latest"
        }
        repository = String(path)
        try Self.validate(self, text)
    }

    private static func noRegistry(_ text: String) -> ContainerError {
        ContainerError(
            .invalidArgument,
            "image reference '\(text)' names no registry; name it, as in 127.0.0.1:5000/\(text.contains("/") ? text : "library/" + text) (Corral has no default registry)"
        )
    }

    private static func validate(_ reference: ImageReference, _ text: String) throws(ContainerError) {
        let hostCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        guard reference.registry.allSatisfy({ hostCharacters.contains($0) }) else {
            throw ContainerError(.invalidArgument, "registry '\(reference.registry)' in '\(text)' is not a host[:port]")
        }
        let pathCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        let components = reference.repository.split(separator: "/", omittingEmptySubsequences: false)
        for component in components {
            guard !component.isEmpty, component.allSatisfy({ pathCharacters.contains($0) }),
                component.first.map({ $0.isLetter || $0.isNumber }) == true
            else {
                throw ContainerError(
                    .invalidArgument,
                    "repository '\(reference.repository)' in '\(text)' must be lowercase [a-z0-9._-] components separated by '/'"
                )
            }
        }
        if let tag = reference.tag {
            let tagCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
            guard (1...128).contains(tag.count), tag.allSatisfy({ tagCharacters.contains($0) }), tag.first != ".", tag.first != "-" else {
                throw ContainerError(.invalidArgument, "tag '\(tag)' in '\(text)' must be 1–128 characters of [A-Za-z0-9._-], not starting with '.' or '-'")
            }
        }
    }
}
