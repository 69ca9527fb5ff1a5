/// Writes a POSIX (ustar + PAX) tar archive into a sink.
final class TarWriter {
    private let sink: any ByteSink

    /// Writes tar members into `sink`.
    init(_ sink: any ByteSink) { self.sink = sink }

    /// Appends `entry`; a regular file's content is read from `content` and must be `entry.size` bytes.
    func append(_ entry: TarEntry, content: (any ByteSource)? = nil) throws {
        var pax = [UInt8]()
        let (prefix, name) = TarWriter.split(entry.path)
        if name == nil { pax += PAXRecords.record("path", entry.path) }
        let link: String
        switch entry.kind {
        case .symlink(let target), .hardlink(let target): link = target
        default: link = ""
        }
        if link.utf8.count > 100 { pax += PAXRecords.record("linkpath", link) }
        let isRegular = entry.kind == .regular
        let size = isRegular ? entry.size : 0
        if size > 0o77777777777 { pax += PAXRecords.record("size", String(size)) }
        if entry.uid > 0o7777777 { pax += PAXRecords.record("uid", String(entry.uid)) }
        if entry.gid > 0o7777777 { pax += PAXRecords.record("gid", String(entry.gid)) }
        for (key, value) in entry.extendedAttributes.sorted(by: { $0.key < $1.key }) {
            pax += PAXRecords.record("SCHILY.xattr." + key, String(decoding: value, as: UTF8.self))
        }
        if !pax.isEmpty {
            var header = TarEntry(
                path: "PaxHeaders/" + String(entry.path.suffix(80)),
                kind: .regular,
                mode: 0o644
            )
            header.size = Int64(pax.count)
            try writeHeader(
                header,
                prefix: "",
                name: String(header.path.utf8.prefix(99)) ?? "PaxHeaders",
                flag: "x",
                link: ""
            )
            try sink.write(pax)
            try sink.write([UInt8](repeating: 0, count: TarReader.padding(for: Int64(pax.count))))
        }
        try writeHeader(
            entry,
            prefix: name == nil ? "" : prefix,
            name: name ?? String(entry.path.utf8.prefix(100)) ?? "",
            flag: TarWriter.flag(entry.kind),
            link: String(link.utf8.prefix(100)) ?? ""
        )
        if isRegular {
            try copyContent(entry, content)
        }
    }

    /// Writes the two zero blocks that end the archive.
    func finish() throws {
        try sink.write([UInt8](repeating: 0, count: 2 * TarHeader.blockSize))
    }

    // MARK: - Internals

    private func copyContent(_ entry: TarEntry, _ content: (any ByteSource)?) throws {
        let copied = try content?.copy(to: sink, maximumBytes: entry.size) ?? 0
        guard copied == entry.size else {
            throw ContainerError(
                .io,
                "file '\(entry.path)' gave \(copied) of its \(entry.size) bytes while it was archived"
            )
        }
        try sink.write([UInt8](repeating: 0, count: TarReader.padding(for: entry.size)))
    }

    private func writeHeader(_ entry: TarEntry, prefix: String, name: String, flag: Character, link: String)
        throws
    {
        var block = [UInt8](repeating: 0, count: TarHeader.blockSize)
        func put(_ text: String, _ range: Range<Int>) {
            for (offset, byte) in text.utf8.prefix(range.count).enumerated() {
                block[range.lowerBound + offset] = byte
            }
        }
        func octal(_ value: Int64, _ range: Range<Int>) {
            let digits = range.count - 1
            let clamped = min(max(value, 0), (Int64(1) << (3 * Int64(digits))) - 1)
            var text = String(clamped, radix: 8)
            text = String(repeating: "0", count: max(0, digits - text.count)) + text
            put(text, range)
        }
        put(name, TarHeader.name)
        octal(Int64(entry.mode & 0o7777), TarHeader.mode)
        octal(Int64(entry.uid), TarHeader.uid)
        octal(Int64(entry.gid), TarHeader.gid)
        octal(entry.kind == .regular ? entry.size : 0, TarHeader.size)
        octal(entry.modificationTimeSeconds, TarHeader.mtime)
        block[TarHeader.typeflag] = flag.asciiValue ?? UInt8(ascii: "0")
        put(link, TarHeader.linkname)
        put("ustar\0", TarHeader.magic)
        put("00", TarHeader.version)
        switch entry.kind {
        case .characterDevice(let major, let minor), .blockDevice(let major, let minor):
            octal(Int64(major), TarHeader.devmajor)
            octal(Int64(minor), TarHeader.devminor)
        default: break
        }
        put(prefix, TarHeader.prefix)
        let sum = TarHeader.checksum(of: block).unsigned
        var text = String(sum, radix: 8)
        text = String(repeating: "0", count: max(0, 6 - text.count)) + text
        put(text + "\0 ", TarHeader.checksum)
        try sink.write(block)
    }

    private static func flag(_ kind: TarEntry.Kind) -> Character {
        switch kind {
        case .regular: return "0"
        case .hardlink: return "1"
        case .symlink: return "2"
        case .characterDevice: return "3"
        case .blockDevice: return "4"
        case .directory: return "5"
        case .fifo: return "6"
        }
    }

    /// Splits `path` into a ustar prefix (≤155 bytes) and name (≤100 bytes), or nil name when it cannot.
    static func split(_ path: String) -> (prefix: String, name: String?) {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 { return ("", path) }
        for index in bytes.indices.reversed() where bytes[index] == UInt8(ascii: "/") {
            let prefix = bytes[..<index]
            let name = bytes[(index + 1)...]
            if prefix.count <= 155 && name.count <= 100 && !name.isEmpty {
                return (String(decoding: prefix, as: UTF8.self), String(decoding: name, as: UTF8.self))
            }
        }
        return ("", nil)
    }
}
