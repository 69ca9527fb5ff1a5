/// Extracts a tar archive (plain or gzip-compressed) into an existing directory, writing only
/// plain files and directories and refusing any member that would land outside it (absolute
/// paths, `..`, writing through a symlink). Used for image archives and fetched task files.
public enum ArchiveExtractor {
    /// Whether `name` looks like an archive `extract` reads (`.tar`, `.tar.gz`, `.tgz`).
    public static func handles(_ name: String) -> Bool {
        [".tar", ".tar.gz", ".tgz"].contains { name.hasSuffix($0) }
    }

    /// Extracts `path` into `directory`, which must exist.
    public static func extract(_ path: String, into directory: String) throws {
        var magic = [UInt8](repeating: 0, count: 2)
        _ = try magic.withUnsafeMutableBytes { try FileSource(path: path).readFully(into: $0) }
        let file = try FileSource(path: path)
        let source: any ByteSource = magic == [0x1f, 0x8b] ? try GzipSource(file) : file
        try LayerUnpacker(root: directory, mode: .archive).unpack(TarReader(source))
    }
}
