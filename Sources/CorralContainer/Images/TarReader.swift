/// Reads a tar archive as a stream: ustar, GNU long names and links, PAX path, linkpath, size,
/// uid, gid, mtime and xattrs.
final class TarReader: MemberReader {
    private let source: any ByteSource
    private var remainingContent: Int64 = 0
    private var remainingPadding: Int = 0
    private var ended = false
    /// Largest GNU long name or PAX header accepted.
    private let metadataLimit = 1 << 20

    /// Reads tar members from `source`.
    init(_ source: any ByteSource) { self.source = source }

    /// The next member, or nil at the end of the archive; skips what is left of the previous one.
    func next() throws -> TarEntry? {
        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        var paxAttributes: [String: [UInt8]] = [:]
        while true {
            try skipRest()
            guard !ended, let block = try readBlock() else {
                ended = true
                return nil
            }
            if block.allSatisfy({ $0 == 0 }) {
                ended = true
                return nil
            }
            try verifyChecksum(block)
            let size = try TarHeader.number(block, TarHeader.size, field: "size")
            let flag = block[TarHeader.typeflag]
            switch flag {
            case UInt8(ascii: "L"), UInt8(ascii: "K"):
                let text = try readMetadata(size: size)
                let end = text.firstIndex(of: 0) ?? text.endIndex
                let value = String(decoding: text[..<end], as: UTF8.self)
                if flag == UInt8(ascii: "L") { longName = value } else { longLink = value }
            case UInt8(ascii: "x"):
                try PAXRecords.parse(try readMetadata(size: size), into: &pax, attributes: &paxAttributes)
            case UInt8(ascii: "g"):
                _ = try readMetadata(size: size)
            default:
                var entry = try makeEntry(block, size: size, flag: flag)
                if let longName { entry.path = longName }
                if let longLink { entry.kind = entry.kind.withLinkTarget(longLink) }
                try PAXRecords.apply(pax, to: &entry)
                entry.extendedAttributes = paxAttributes
                // Skip whatever data follows the header, but only regular files expose it.
                remainingContent = entry.size
                remainingPadding = TarReader.padding(for: entry.size)
                if case .regular = entry.kind {} else { entry.size = 0 }
                return entry
            }
        }
    }

    /// Reads content of the current member; returns 0 at its end (so a reader is the
    /// `ByteSource` of the member `next()` returned last).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard remainingContent > 0 else { return 0 }
        let wanted = Int(min(Int64(buffer.count), remainingContent))
        let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
        guard count > 0 else { throw ContainerError(.malformed, "tar archive ends inside a member") }
        remainingContent -= Int64(count)
        return count
    }

    /// Bytes of padding after `size` bytes of content.
    static func padding(for size: Int64) -> Int {
        let rest = Int(size % Int64(TarHeader.blockSize))
        return rest == 0 ? 0 : TarHeader.blockSize - rest
    }

    // MARK: - Internals

    private func makeEntry(_ block: [UInt8], size: Int64, flag: UInt8) throws -> TarEntry {
        var path = TarHeader.string(block, TarHeader.name)
        let magic = Array(block[TarHeader.magic])
        let isPOSIX = magic == Array("ustar\0".utf8)
        if isPOSIX {
            let prefix = TarHeader.string(block, TarHeader.prefix)
            if !prefix.isEmpty { path = prefix + "/" + path }
        }
        let link = TarHeader.string(block, TarHeader.linkname)
        let major = UInt32(
            truncatingIfNeeded: try TarHeader.number(block, TarHeader.devmajor, field: "devmajor")
        )
        let minor = UInt32(
            truncatingIfNeeded: try TarHeader.number(block, TarHeader.devminor, field: "devminor")
        )
        let kind: TarEntry.Kind
        switch flag {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            kind = path.hasSuffix("/") ? .directory : .regular
        case UInt8(ascii: "1"): kind = .hardlink(target: link)
        case UInt8(ascii: "2"): kind = .symlink(target: link)
        case UInt8(ascii: "3"): kind = .characterDevice(major: major, minor: minor)
        case UInt8(ascii: "4"): kind = .blockDevice(major: major, minor: minor)
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default:
            throw ContainerError(
                .malformed,
                "tar member '\(path)' has unsupported type '\(Character(Unicode.Scalar(flag)))'"
            )
        }
        let mode = try TarHeader.number(block, TarHeader.mode, field: "mode")
        return TarEntry(
            path: path,
            kind: kind,
            mode: UInt32(truncatingIfNeeded: mode & 0o7777),
            uid: UInt32(truncatingIfNeeded: try TarHeader.number(block, TarHeader.uid, field: "uid")),
            gid: UInt32(truncatingIfNeeded: try TarHeader.number(block, TarHeader.gid, field: "gid")),
            size: size,
            modificationTimeSeconds: try TarHeader.number(block, TarHeader.mtime, field: "mtime")
        )
    }

    private func verifyChecksum(_ block: [UInt8]) throws {
        let stored = try TarHeader.number(block, TarHeader.checksum, field: "checksum")
        let computed = TarHeader.checksum(of: block)
        guard stored == computed.unsigned || stored == computed.signed else {
            throw ContainerError(.malformed, "tar header checksum mismatch (not a tar archive, or corrupt)")
        }
    }

    private func readMetadata(size: Int64) throws -> [UInt8] {
        guard size >= 0, size <= Int64(metadataLimit) else {
            throw ContainerError(.malformed, "tar extended header of \(size) bytes is too large")
        }
        var bytes = [UInt8](repeating: 0, count: Int(size))
        let count = try bytes.withUnsafeMutableBytes { try source.readFully(into: $0) }
        guard count == Int(size) else {
            throw ContainerError(.malformed, "tar archive ends inside an extended header")
        }
        remainingPadding = TarReader.padding(for: size)
        try skipRest()
        return bytes
    }

    private func readBlock() throws -> [UInt8]? {
        var block = [UInt8](repeating: 0, count: TarHeader.blockSize)
        let count = try block.withUnsafeMutableBytes { try source.readFully(into: $0) }
        if count == 0 { return nil }
        guard count == TarHeader.blockSize else {
            throw ContainerError(.malformed, "tar archive ends inside a header")
        }
        return block
    }

    /// Skips the unread content and padding of the current member.
    private func skipRest() throws {
        var scratch = [UInt8](repeating: 0, count: 32 * 1024)
        while remainingContent > 0 {
            _ = try scratch.withUnsafeMutableBytes { try read(into: $0) }
        }
        if remainingPadding > 0 {
            let count = try scratch.withUnsafeMutableBytes {
                try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<remainingPadding]))
            }
            guard count == remainingPadding else {
                throw ContainerError(.malformed, "tar archive ends inside padding")
            }
            remainingPadding = 0
        }
    }
}

extension TarEntry.Kind {
    /// The same kind with its link target replaced (for GNU long links and PAX linkpath).
    func withLinkTarget(_ target: String) -> TarEntry.Kind {
        switch self {
        case .symlink: return .symlink(target: target)
        case .hardlink: return .hardlink(target: target)
        default: return self
        }
    }
}
