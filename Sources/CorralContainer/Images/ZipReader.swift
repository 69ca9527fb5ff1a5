import CZlib
import Glibc

/// Reads the members of a zip archive from its central directory (APPNOTE 6.3): stored and
/// deflated members, ZIP64 sizes and offsets, Unix modes when the archive has them. Each
/// member's content is checked against its CRC-32 and size as it is read, and no member
/// gives more bytes than its header declares. Encrypted members, other compression methods
/// and multi-part archives are refused with a message that says so. Paths are not checked
/// here: `LayerUnpacker` refuses absolute paths and `..`, as it does for tar.
final class ZipReader: MemberReader {
    private let path: String
    private let descriptor: Int32
    private let fileSize: Int64
    private var members: [ZipMember] = []
    private var position = 0
    private var current: ZipContent?

    /// Opens `path` and reads its central directory.
    init(path: String) throws {
        self.path = path
        let opened = try Syscall.retrying("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        descriptor = opened
        var info = stat()
        if fstat(opened, &info) != 0 {
            let error = ContainerError.errno("fstat", path)
            close(opened)
            throw error
        }
        fileSize = Int64(info.st_size)
        // From here on deinit closes the descriptor.
        members = try readCentralDirectory()
    }

    deinit { close(descriptor) }

    func next() throws -> TarEntry? {
        guard position < members.count else {
            current = nil
            return nil
        }
        let member = members[position]
        position += 1
        guard member.isRegular else {
            current = nil
            return member.entry
        }
        let start = try dataOffset(of: member)
        let raw = FileRangeSource(descriptor: descriptor, path: path, offset: start, count: member.compressedSize)
        let source: any ByteSource = member.method == 8 ? try GzipSource(raw, raw: true) : raw
        current = ZipContent(source, member: member, archive: path)
        return member.entry
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try current?.read(into: buffer) ?? 0
    }

    // MARK: - Central directory

    private func readCentralDirectory() throws -> [ZipMember] {
        let tailCount = Int(min(fileSize, 22 + 65_535))
        let tail = try bytes(at: fileSize - Int64(tailCount), count: tailCount)
        guard let end = stride(from: tailCount - 22, through: 0, by: -1).first(where: { tail.u32($0) == 0x0605_4b50 }) else {
            throw malformed("has no end of central directory record; it is not a zip archive or it is truncated")
        }
        guard tail.u16(end + 4) == 0, tail.u16(end + 6) == 0 else {
            throw ContainerError(.malformed, "zip archive \(path) is split over several disks", cause: "multi-part zip archives are not supported")
        }
        var count = UInt64(tail.u16(end + 10))
        var size = UInt64(tail.u32(end + 12))
        var offset = UInt64(tail.u32(end + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            let locatorAt = fileSize - Int64(tailCount - end) - 20
            let locator = try bytes(at: locatorAt, count: 20)
            guard locatorAt >= 0, locator.u32(0) == 0x0706_4b50 else { throw malformed("has a ZIP64 mark but no ZIP64 locator") }
            let record = try bytes(at: Int64(locator.u64(8)), count: 56)
            guard record.u32(0) == 0x0606_4b50 else { throw malformed("has a damaged ZIP64 end of central directory record") }
            count = record.u64(32)
            size = record.u64(40)
            offset = record.u64(48)
        }
        guard size <= 256 << 20, offset + size <= UInt64(fileSize) else {
            throw malformed("declares a central directory of \(size) bytes at \(offset), outside the file")
        }
        let directory = try bytes(at: Int64(offset), count: Int(size))
        var members: [ZipMember] = []
        var at = 0
        for _ in 0..<count {
            let member = try ZipMember(directory, at: &at, archive: path)
            members.append(member)
        }
        return members
    }

    /// Where a member's data starts, after its local header.
    private func dataOffset(of member: ZipMember) throws -> Int64 {
        let header = try bytes(at: member.localHeaderOffset, count: 30)
        guard header.u32(0) == 0x0403_4b50 else { throw malformed("member '\(member.name)' has no local header") }
        let start = member.localHeaderOffset + 30 + Int64(header.u16(26)) + Int64(header.u16(28))
        guard start + member.compressedSize <= fileSize else { throw malformed("member '\(member.name)' runs past the end") }
        return start
    }

    private func bytes(at offset: Int64, count: Int) throws -> [UInt8] {
        guard offset >= 0, offset + Int64(count) <= fileSize else { throw malformed("is truncated") }
        var buffer = [UInt8](repeating: 0, count: count)
        let source = FileRangeSource(descriptor: descriptor, path: path, offset: offset, count: Int64(count))
        let read = try buffer.withUnsafeMutableBytes { try source.readFully(into: $0) }
        guard read == count else { throw malformed("is truncated") }
        return buffer
    }

    private func malformed(_ what: String) -> ContainerError {
        ContainerError(.malformed, "zip archive \(path) \(what)")
    }
}

/// A member's content, checked against its size and CRC-32 as it is read.
private final class ZipContent: ByteSource {
    private let source: any ByteSource
    private let member: ZipMember
    private let archive: String
    private var produced: Int64 = 0
    private var crc: UInt = crc32(0, nil, 0)

    init(_ source: any ByteSource, member: ZipMember, archive: String) {
        self.source = source
        self.member = member
        self.archive = archive
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try source.read(into: buffer)
        guard count > 0 else {
            guard produced == member.size, UInt32(truncatingIfNeeded: crc) == member.crc else {
                throw ContainerError(
                    .malformed, "zip member '\(member.name)' in \(archive) is corrupt",
                    cause: "expected \(member.size) bytes with CRC-32 \(member.crc), got \(produced) bytes with \(UInt32(truncatingIfNeeded: crc))")
            }
            return 0
        }
        produced += Int64(count)
        guard produced <= member.size else {
            throw ContainerError(
                .malformed, "zip member '\(member.name)' in \(archive) is larger than its header says (\(member.size) bytes)")
        }
        if let base = buffer.baseAddress {
            crc = crc32(crc, base.assumingMemoryBound(to: Bytef.self), uInt(count))
        }
        return count
    }
}
