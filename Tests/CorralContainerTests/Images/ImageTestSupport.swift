import CorralTestSupport
import Foundation
import Glibc
import Testing

@testable import CorralContainer

/// A unique temporary directory, removed (with everything in it) by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "corral-images") throws {
        var template = Array("/tmp/\(label)-XXXXXX".utf8CString)
        let created: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let result = mkdtemp(base) else { return nil }
            return String(cString: result)
        }
        path = try #require(created)
    }

    func remove() { try? Syscall.removeTree(path) }
}

/// Helpers shared by the image tests.
enum ImageTestSupport {
    /// Runs a program and fails the test unless it exits 0; returns its standard output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], directory: String? = nil) throws -> String {
        let run = try CombinedOutput.run(executable, arguments, directory: directory)
        try #require(run.status == 0, "\(executable) \(arguments.joined(separator: " ")) failed: \(run.output)")
        return run.output
    }

    /// A tar archive of `entries`; regular files take their content from `contents[path]`.
    static func tar(_ entries: [TarEntry], contents: [String: String] = [:]) throws -> [UInt8] {
        let sink = MemorySink()
        let writer = TarWriter(sink)
        for var entry in entries {
            let content = Array((contents[entry.path] ?? "").utf8)
            if entry.kind == .regular { entry.size = Int64(content.count) }
            try writer.append(entry, content: MemorySource(content))
        }
        try writer.finish()
        return sink.bytes
    }

    /// Gzip of `bytes`.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let sink = MemorySink()
        let gzip = try GzipSink(sink)
        try gzip.write(bytes)
        try gzip.finish()
        return sink.bytes
    }

    static func file(_ path: String, mode: UInt32 = 0o644) -> TarEntry {
        TarEntry(path: path, kind: .regular, mode: mode)
    }
    static func directory(_ path: String) -> TarEntry { TarEntry(path: path, kind: .directory, mode: 0o755) }

    /// Every path under `root` with its type, mode, owner, size, content digest, link target,
    /// device and opaque xattr: equal listings mean an unchanged tree.
    static func listing(_ root: String) throws -> [String] {
        var lines: [String] = []
        func walk(_ relative: String) throws {
            let path = relative.isEmpty ? root : root + "/" + relative
            guard let info = try Syscall.lstatIfExists(path) else { return }
            var line =
                "\(relative) mode=\(String(info.st_mode, radix: 8)) uid=\(info.st_uid) gid=\(info.st_gid)"
            switch Syscall.type(info.st_mode) {
            case S_IFREG:
                line +=
                    " size=\(info.st_size) sha256=\(SHA256Hasher.hex(of: try Syscall.readFile(path, limit: 1 << 30)))"
            case S_IFLNK:
                line += " -> \(try RootfsArchiver.readLink(path))"
            case S_IFCHR, S_IFBLK:
                line += " rdev=\(info.st_rdev)"
            case S_IFDIR:
                line += " opaque=\(opaque(path))"
                lines.append(line)
                for name in try Syscall.listDirectory(path) {
                    try walk(relative.isEmpty ? name : relative + "/" + name)
                }
                return
            default:
                break
            }
            lines.append(line)
        }
        try walk("")
        return lines
    }

    /// The value of `trusted.overlay.opaque` on `path`, or "" when unset.
    static func opaque(_ path: String) -> String {
        guard let value = try? Syscall.extendedAttribute(path, "trusted.overlay.opaque") else { return "" }
        return String(decoding: value, as: UTF8.self)
    }
}
