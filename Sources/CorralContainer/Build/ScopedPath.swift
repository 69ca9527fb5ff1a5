import Glibc

/// Resolves paths inside a directory tree as if that directory were `/`: a build context (where a
/// path that climbs out is refused) or an image's root file system (where `..` and absolute
/// symlinks stay inside it, as they do for a process chrooted there). Nothing under the tree is
/// trusted: every component is `lstat`ed and symlinks are followed by hand.
struct ScopedPath {
    /// The tree's root on the host.
    let root: String
    /// Whether a path that climbs out of `root` is an error (a build context) rather than held at
    /// `root` (an image, where `/..` is `/`).
    let refuseEscapes: Bool

    /// The path inside `root` (as components) that `path` names once symlinks are followed; the
    /// final component's symlink is followed only when `followLast` is set. Components that do
    /// not exist are kept as written.
    func resolve(_ path: String, followLast: Bool = true) throws -> [String] {
        var resolved: [String] = []
        var pending = path.split(separator: "/").map(String.init)[...]
        var hops = 0
        while let component = pending.popFirst() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                if resolved.popLast() == nil && refuseEscapes { throw escape(path) }
                continue
            }
            let candidate = resolved + [component]
            guard let info = try Syscall.lstatIfExists(host(candidate)),
                Syscall.type(info.st_mode) == S_IFLNK, followLast || !pending.isEmpty
            else {
                resolved = candidate
                continue
            }
            hops += 1
            guard hops <= 40 else {
                throw ContainerError(.unsafePath, "'\(path)' has too many levels of symbolic links")
            }
            let target = try RootfsArchiver.readLink(host(candidate))
            if target.hasPrefix("/") {
                guard !refuseEscapes else { throw escape(path) }
                resolved = []
            }
            pending = (target.split(separator: "/").map(String.init) + pending)[...]
        }
        return resolved
    }

    /// The host path of components inside `root`.
    func host(_ components: [String]) -> String {
        components.isEmpty ? root : root + "/" + components.joined(separator: "/")
    }

    private func escape(_ path: String) -> ContainerError {
        ContainerError(
            .unsafePath,
            "'\(path)' is outside the build context (through '..' or a symlink); copy only what is inside it"
        )
    }
}
