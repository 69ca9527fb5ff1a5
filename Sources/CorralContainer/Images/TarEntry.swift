/// One member of a tar archive, after GNU long-name and PAX records are applied.
struct TarEntry: Equatable, Sendable {
    /// What the member is.
    enum Kind: Equatable, Sendable {
        case regular
        case directory
        case symlink(target: String)
        case hardlink(target: String)
        case characterDevice(major: UInt32, minor: UInt32)
        case blockDevice(major: UInt32, minor: UInt32)
        case fifo
    }

    /// The member's path as stored (relative, possibly with `./` or a trailing `/`).
    var path: String
    /// What the member is.
    var kind: Kind
    /// Permission bits including setuid, setgid and sticky (`0o7777`).
    var mode: UInt32
    /// Owner user id.
    var uid: UInt32 = 0
    /// Owner group id.
    var gid: UInt32 = 0
    /// Content size in bytes (regular files only).
    var size: Int64 = 0
    /// Modification time, seconds since the epoch.
    var modificationTimeSeconds: Int64 = 0
    /// Extended attributes from PAX `SCHILY.xattr.` records.
    var extendedAttributes: [String: [UInt8]] = [:]
}

/// The ustar header field layout shared by the reader and the writer.
enum TarHeader {
    static let blockSize = 512
    static let name = 0..<100
    static let mode = 100..<108
    static let uid = 108..<116
    static let gid = 116..<124
    static let size = 124..<136
    static let mtime = 136..<148
    static let checksum = 148..<156
    static let typeflag = 156
    static let linkname = 157..<257
    static let magic = 257..<263
    static let version = 263..<265
    static let uname = 265..<297
    static let gname = 297..<329
    static let devmajor = 329..<337
    static let devminor = 337..<345
    static let prefix = 345..<500

    /// The header checksum: the sum of all bytes with the checksum field read as spaces.
    static func checksum(of block: [UInt8]) -> (unsigned: Int64, signed: Int64) {
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (index, byte) in block.enumerated() {
            let value = checksum.contains(index) ? UInt8(ascii: " ") : byte
            unsigned += Int64(value)
            signed += Int64(Int8(bitPattern: value))
        }
        return (unsigned, signed)
    }

    /// A NUL-terminated string field.
    static func string(_ block: [UInt8], _ range: Range<Int>) -> String {
        let field = block[range]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    /// A numeric field: octal (space or NUL padded) or GNU base-256 when the top bit is set.
    static func number(_ block: [UInt8], _ range: Range<Int>, field: String) throws -> Int64 {
        let bytes = block[range]
        guard let first = bytes.first else { return 0 }
        if first & 0x80 != 0 {
            guard first & 0x40 == 0 else {
                throw ContainerError(.malformed, "tar header field \(field) is negative")
            }
            var value: Int64 = Int64(first & 0x3f)
            for byte in bytes.dropFirst() {
                guard value <= (Int64.max >> 8) else {
                    throw ContainerError(.malformed, "tar header field \(field) overflows")
                }
                value = (value << 8) | Int64(byte)
            }
            return value
        }
        var value: Int64 = 0
        var seenDigit = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard value <= (Int64.max >> 3) else {
                    throw ContainerError(.malformed, "tar header field \(field) overflows")
                }
                value = value * 8 + Int64(byte - UInt8(ascii: "0"))
                seenDigit = true
            case 0, UInt8(ascii: " "):
                if seenDigit { return value }
            default:
                throw ContainerError(.malformed, "tar header field \(field) is not an octal number")
            }
        }
        return value
    }
}
