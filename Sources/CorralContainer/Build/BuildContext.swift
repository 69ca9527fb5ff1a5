import Glibc

/// The build context: the directory `COPY` and `ADD` read, less what its `.dockerignore` leaves
/// out. Sources are resolved inside it (a source that climbs out through `..` or a symlink is
/// refused); symlinks inside a copied directory are copied as symlinks, never followed.
struct BuildContext {
    /// The context directory (its real path).
    let root: String
    /// Its `.dockerignore` (empty when there is none).
    let ignore: DockerIgnore

    /// One thing a source names: a file or directory of the context.
    struct Source {
        /// Its real path inside the context, as components.
        var components: [String]
        /// What the source is.
        var info: stat
        /// Its name as written (a file copied into a directory keeps it).
        var name: String
        var isDirectory: Bool { Syscall.type(info.st_mode) == S_IFDIR }
    }

    /// One object a source copies: `relative` is its path below the source ("" for the source itself).
    struct Entry {
        var relative: String
        var hostPath: String
        var info: stat
    }

    /// Opens the context at `directory` and reads its `.dockerignore`.
    init(directory: String) throws {
        guard let real = realpath(directory, nil) else {
            throw ContainerError.errno("open build context", directory)
        }
        root = String(cString: real)
        free(real)
        guard let info = try Syscall.statIfExists(root), Syscall.type(info.st_mode) == S_IFDIR else {
            throw ContainerError(.invalidArgument, "build context '\(directory)' is not a directory")
        }
        let ignorePath = root + "/.dockerignore"
        ignore =
            try Syscall.lstatIfExists(ignorePath) == nil
            ? DockerIgnore("")
            : DockerIgnore(String(decoding: try Syscall.readFile(ignorePath), as: UTF8.self))
    }

    private var scoped: ScopedPath { ScopedPath(root: root, refuseEscapes: true) }

    /// The files and directories `pattern` names (`*`, `?` and `[…]` allowed in any component).
    func sources(_ pattern: String) throws -> [Source] {
        if pattern.hasPrefix("http://") || pattern.hasPrefix("https://") {
            throw ContainerError(
                .invalidArgument,
                "'\(pattern)' is a URL; Corral's ADD copies only files of the build context"
            )
        }
        var depth = 0
        for part in pattern.split(separator: "/") where part != "." {
            depth += part == ".." ? -1 : 1
            if depth < 0 {
                throw ContainerError(
                    .unsafePath,
                    "'\(pattern)' is outside the build context; copy only what is inside it"
                )
            }
        }
        let found = try expand(DockerIgnore.clean(pattern)[...], [])
            .filter { !visibleExcluded($0.joined(separator: "/")) }
            .map { written -> Source in
                let components = try scoped.resolve(written.joined(separator: "/"))
                guard let info = try Syscall.lstatIfExists(scoped.host(components)),
                    !visibleExcluded(components.joined(separator: "/"))
                else {
                    throw ContainerError(
                        .notFound,
                        "'\(written.joined(separator: "/"))' is not in the build context (or .dockerignore leaves it out)"
                    )
                }
                return Source(components: components, info: info, name: written.last ?? "")
            }
        guard !found.isEmpty else {
            throw ContainerError(
                .notFound,
                "'\(pattern)' is not in the build context (or .dockerignore leaves it out)"
            )
        }
        return found
    }

    /// Every object `source` copies, parents before children, names sorted; what `.dockerignore`
    /// leaves out is skipped (a directory is walked still when a `!` rule may take back something under it).
    func entries(of source: Source) throws -> [Entry] {
        var entries = [Entry(relative: "", hostPath: scoped.host(source.components), info: source.info)]
        if source.isDirectory { try walk(source.components, "", &entries) }
        return entries
    }

    private func walk(_ directory: [String], _ relative: String, _ entries: inout [Entry]) throws {
        for name in try Syscall.listDirectory(scoped.host(directory)) {
            let components = directory + [name]
            let path = components.joined(separator: "/")
            guard let info = try Syscall.lstatIfExists(scoped.host(components)) else { continue }
            let isDirectory = Syscall.type(info.st_mode) == S_IFDIR
            let excluded = ignore.excludes(path)
            if excluded && !(isDirectory && ignore.mayIncludeUnder(path)) { continue }
            let member = relative.isEmpty ? name : relative + "/" + name
            let before = entries.count
            entries.append(Entry(relative: member, hostPath: scoped.host(components), info: info))
            if isDirectory { try walk(components, member, &entries) }
            // An excluded directory stays only if something under it was taken back.
            if excluded && entries.count == before + 1 { entries.removeLast() }
        }
    }

    /// Whether `path` is left out and nothing under it is taken back.
    private func visibleExcluded(_ path: String) -> Bool {
        ignore.excludes(path) && !ignore.mayIncludeUnder(path)
    }

    /// Expands wildcards component by component.
    private func expand(_ pattern: ArraySlice<String>, _ prefix: [String]) throws -> [[String]] {
        guard let head = pattern.first else { return [prefix] }
        guard head.contains(where: { "*?[".contains($0) }) else {
            return try expand(pattern.dropFirst(), prefix + [head])
        }
        let directory = try scoped.resolve(prefix.joined(separator: "/"))
        guard let info = try Syscall.statIfExists(scoped.host(directory)),
            Syscall.type(info.st_mode) == S_IFDIR
        else { return [] }
        return try Syscall.listDirectory(scoped.host(directory)).filter { fnmatch(head, $0, 0) == 0 }
            .flatMap { try expand(pattern.dropFirst(), prefix + [$0]) }
    }

    /// The SHA-256 of what `sources` copy: each object's path, type, mode, size, and content
    /// (or symlink target). Modification times and owners are left out, as Docker does.
    static func digest(of sources: [[Entry]]) throws -> String {
        let hasher = SHA256Hasher()
        for (index, entries) in sources.enumerated() {
            for entry in entries {
                let type = Syscall.type(entry.info.st_mode)
                var line =
                    "\(index)\u{0}\(entry.relative)\u{0}\(type)\u{0}\(entry.info.st_mode & 0o7777)\u{0}"
                if type == S_IFREG {
                    let file = HashingSource(try FileSource(path: entry.hostPath, noFollow: true))
                    try file.copy(to: nil)
                    line += file.hasher.finalizeHex()
                } else if type == S_IFLNK {
                    line += try RootfsArchiver.readLink(entry.hostPath)
                }
                hasher.update(Array((line + "\n").utf8))
            }
        }
        return hasher.finalizeHex()
    }
}
