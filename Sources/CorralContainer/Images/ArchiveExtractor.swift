/// Extracts a tar archive (plain or gzip-compressed) or a zip archive into an existing
/// directory, writing only plain files and directories and refusing any member that would land
/// outside it (absolute paths, `..`, writing through a symlink). Used for image archives and
/// fetched task files.
public enum ArchiveExtractor {
    /// Whether `name` looks like an archive `extract` reads (`.tar`, `.tar.gz`, `.tgz`, `.zip`).
    public static func handles(_ name: String) -> Bool {
        [".tar", ".tar.gz", ".tgz", ".zip"].contains { name.hasSuffix($0) }
    }

    /// Extracts `path` into `directory`, which must exist. The format is told by the content
    /// (zip and gzip signatures), not by the name.
    public static func extract(_ path: String, into directory: String) throws {
        var magic = [UInt8](repeating: 0, count: 4)
        _ = try magic.withUnsafeMutableBytes { try FileSource(path: path).readFully(into: $0) }
        let unpacker = LayerUnpacker(root: directory, mode: .archive)
        if magic == [0x50, 0x4b, 0x03, 0x04] || magic == [0x50, 0x4b, 0x05, 0x06] {
            try unpacker.unpack(ZipReader(path: path))
            return
        }
        let file = try FileSource(path: path)
        let source: any ByteSource = magic.starts(with: [0x1f, 0x8b]) ? try GzipSource(file) : file
        try unpacker.unpack(TarReader(source))
    }
}
