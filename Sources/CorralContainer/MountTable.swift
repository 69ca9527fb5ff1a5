import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The mounts of this process's mount namespace, from `/proc/self/mountinfo`.
public enum MountTable {
    /// Mount points at or under `prefix`, deepest first (the order to detach them in).
    public static func points(under path: String) -> [String] {
        // The table names mount points by their real paths.
        let prefix = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let text = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let points = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = unescape(fields[4])
            return point == prefix || point.hasPrefix(prefix + "/") ? point : nil
        }
        return points.enumerated().sorted { ($0.element.count, $0.offset) > ($1.element.count, $1.offset) }.map(\.element)
    }

    /// Whether `path` is a mount point (its device differs from its parent's).
    public static func isMountPoint(_ path: String) -> Bool {
        var own = stat()
        var parent = stat()
        guard stat(path, &own) == 0, stat(path + "/..", &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev
    }

    /// Detaches (`umount2(MNT_DETACH)`) every mount at or under `prefix`; returns what failed.
    @discardableResult
    public static func detachAll(under prefix: String) -> [String] {
        points(under: prefix).compactMap { point in
            umount2(point, Int32(MNT_DETACH)) == 0 ? nil : "umount \(point): \(String(cString: strerror(errno)))"
        }
    }

    /// mountinfo writes space, tab, newline and backslash as `\ooo` octal escapes.
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        var utf8 = Array(field.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), utf8.count >= 3,
                let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self), radix: 8)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(3)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
