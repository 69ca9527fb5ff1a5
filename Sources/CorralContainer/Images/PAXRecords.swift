/// Parses and encodes PAX extended header records (`"<length> <key>=<value>\n"`).
enum PAXRecords {
    /// Parses `bytes` into `records`, collecting `SCHILY.xattr.` values into `attributes`.
    static func parse(
        _ bytes: [UInt8],
        into records: inout [String: String],
        attributes: inout [String: [UInt8]]
    ) throws {
        var index = 0
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)),
                length > 0, index + length <= bytes.count, bytes[index + length - 1] == UInt8(ascii: "\n"),
                let equals = bytes[(space + 1)..<(index + length)].firstIndex(of: UInt8(ascii: "="))
            else {
                throw ContainerError(.malformed, "tar PAX header has a malformed record")
            }
            let key = String(decoding: bytes[(space + 1)..<equals], as: UTF8.self)
            let value = Array(bytes[(equals + 1)..<(index + length - 1)])
            let xattrPrefix = "SCHILY.xattr."
            if key.hasPrefix(xattrPrefix) {
                attributes[String(key.dropFirst(xattrPrefix.count))] = value
            } else {
                records[key] = String(decoding: value, as: UTF8.self)
            }
            index += length
        }
    }

    /// Applies the records Corral understands to `entry`.
    static func apply(_ records: [String: String], to entry: inout TarEntry) throws {
        if let path = records["path"] { entry.path = path }
        if let link = records["linkpath"] { entry.kind = entry.kind.withLinkTarget(link) }
        if let size = records["size"] {
            guard let value = Int64(size), value >= 0 else {
                throw ContainerError(.malformed, "tar PAX size '\(size)' is invalid")
            }
            entry.size = value
        }
        if let uid = records["uid"], let value = UInt32(uid) { entry.uid = value }
        if let gid = records["gid"], let value = UInt32(gid) { entry.gid = value }
        if let mtime = records["mtime"] {
            let seconds = mtime.split(separator: ".", maxSplits: 1).first.map(String.init) ?? mtime
            if let value = Int64(seconds) { entry.modificationTimeSeconds = value }
        }
    }

    /// Encodes one record, whose length prefix counts itself.
    static func record(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).utf8.count + body.utf8.count != length {
            length = String(length).utf8.count + body.utf8.count
        }
        return Array((String(length) + body).utf8)
    }
}
