import Glibc

/// One entry of a zip archive's central directory.
struct ZipMember {
    /// The stored name.
    let name: String
    /// 0 (stored) or 8 (deflate).
    let method: UInt16
    /// CRC-32 of the content.
    let crc: UInt32
    /// Bytes in the archive.
    let compressedSize: Int64
    /// Bytes once extracted.
    let size: Int64
    /// Where the member's local header starts.
    let localHeaderOffset: Int64
    /// The member as the unpacker sees it.
    let entry: TarEntry

    /// Whether the member has content to extract.
    var isRegular: Bool { entry.kind == .regular }

    /// Parses the central directory entry at `at` and moves `at` past it.
    init(_ bytes: [UInt8], at: inout Int, archive: String) throws {
        func malformed(_ what: String) -> ContainerError {
            ContainerError(.malformed, "zip archive \(archive) \(what)")
        }
        guard at + 46 <= bytes.count, bytes.u32(at) == 0x0201_4b50 else {
            throw malformed("has a damaged central directory")
        }
        let madeBy = bytes.u16(at + 4)
        let flags = bytes.u16(at + 8)
        method = bytes.u16(at + 10)
        let dosTime = bytes.u16(at + 12)
        let dosDate = bytes.u16(at + 14)
        crc = bytes.u32(at + 16)
        var compressed = UInt64(bytes.u32(at + 20))
        var uncompressed = UInt64(bytes.u32(at + 24))
        let nameLength = Int(bytes.u16(at + 28))
        let extraLength = Int(bytes.u16(at + 30))
        let commentLength = Int(bytes.u16(at + 32))
        let external = bytes.u32(at + 38)
        var offset = UInt64(bytes.u32(at + 42))
        let nameStart = at + 46
        let extraStart = nameStart + nameLength
        let end = extraStart + extraLength + commentLength
        guard end <= bytes.count else { throw malformed("has a damaged central directory") }
        let nameBytes = Array(bytes[nameStart..<extraStart])
        name = String(decoding: nameBytes, as: UTF8.self)
        at = end
        guard !nameBytes.contains(0) else { throw malformed("has a member name with a NUL byte") }
        // ZIP64: the extra field holds, in order, the values that are all ones above.
        var extra = extraStart
        while extra + 4 <= extraStart + extraLength {
            let id = bytes.u16(extra)
            let length = Int(bytes.u16(extra + 2))
            var field = extra + 4
            if id == 0x0001 {
                if uncompressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { uncompressed = bytes.u64(field); field += 8 }
                if compressed == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { compressed = bytes.u64(field); field += 8 }
                if offset == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { offset = bytes.u64(field) }
            }
            extra += 4 + length
        }
        guard compressed < UInt64(Int64.max), uncompressed < UInt64(Int64.max), offset < UInt64(Int64.max) else {
            throw malformed("member '\(name)' declares impossible sizes")
        }
        compressedSize = Int64(compressed)
        size = Int64(uncompressed)
        localHeaderOffset = Int64(offset)

        let unixMode = madeBy >> 8 == 3 ? external >> 16 : 0
        let kind: TarEntry.Kind
        switch unixMode & UInt32(S_IFMT) {
        case UInt32(S_IFDIR): kind = .directory
        case UInt32(S_IFLNK): kind = .symlink(target: "")
        case 0 where name.hasSuffix("/"): kind = .directory
        case 0, UInt32(S_IFREG): kind = .regular
        default: kind = .fifo  // a device or FIFO: not extracted
        }
        let permissions = unixMode & 0o7777
        let mode = permissions != 0 ? permissions : (kind == .directory ? 0o755 : 0o644)
        entry = TarEntry(
            path: name, kind: kind, mode: mode, size: size,
            modificationTimeSeconds: Self.epochSeconds(date: dosDate, time: dosTime))
        if kind == .regular {
            guard flags & 1 == 0 else {
                throw ContainerError(
                    .malformed, "zip member '\(name)' in \(archive) is encrypted", cause: "Corral extracts only unencrypted zip archives")
            }
            guard method == 0 || method == 8 else {
                throw ContainerError(
                    .malformed, "zip member '\(name)' in \(archive) uses compression method \(method)",
                    cause: "Corral extracts stored and deflated members; re-create the archive with deflate")
            }
        }
    }

    /// An MS-DOS date and time (local time, read as UTC) as seconds since the epoch.
    static func epochSeconds(date: UInt16, time: UInt16) -> Int64 {
        var parts = tm()
        parts.tm_year = Int32(date >> 9) + 80
        parts.tm_mon = max(Int32((date >> 5) & 0xF) - 1, 0)
        parts.tm_mday = max(Int32(date & 0x1F), 1)
        parts.tm_hour = Int32(time >> 11)
        parts.tm_min = Int32((time >> 5) & 0x3F)
        parts.tm_sec = Int32(time & 0x1F) * 2
        return Int64(timegm(&parts))
    }
}

extension [UInt8] {
    /// A little-endian integer at `offset`.
    func u16(_ offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    /// A little-endian integer at `offset`.
    func u32(_ offset: Int) -> UInt32 { UInt32(u16(offset)) | UInt32(u16(offset + 2)) << 16 }
    /// A little-endian integer at `offset`.
    func u64(_ offset: Int) -> UInt64 { UInt64(u32(offset)) | UInt64(u32(offset + 4)) << 32 }
}
