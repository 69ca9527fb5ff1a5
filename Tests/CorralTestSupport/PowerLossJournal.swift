import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The journal written by the `CPowerLossDouble` LD_PRELOAD double, and the power loss it
/// makes possible: undo any chosen subset of the writes each file received since its last
/// sync, as a file system that keeps each write whole but may lose or reorder unsynced writes
/// would after the power goes. (File creation and directory entries count as durable: the
/// double models file contents only.)
public struct PowerLossJournal: Sendable {
    /// What one record says happened.
    public enum Kind: UInt8, Sendable {
        /// A write a power loss may undo until its file is synced.
        case write = 0x57  // "W"
        /// A write through an O_SYNC/O_DSYNC descriptor: durable once it returned.
        case durableWrite = 0x44  // "D"
        /// A change of size (ftruncate), undone like a write.
        case truncate = 0x54  // "T"
        /// fsync, fdatasync or a synchronous msync of the file.
        case sync = 0x53  // "S"
        /// A shared writable mapping of the file: writes through it are not journaled.
        case mapping = 0x4D  // "M"
        /// Something the double could not model; `newBytes` says what.
        case unmodeled = 0x55  // "U"
    }

    /// One interposed call.
    public struct Record: Sendable {
        public var kind: Kind
        public var path: String
        /// Where the write started, or the new size of a truncation.
        public var offset: UInt64
        public var sizeBefore: UInt64
        public var sizeAfter: UInt64
        /// The bytes the call replaced (the part that existed before it).
        public var oldBytes: [UInt8]
        /// The bytes it wrote.
        public var newBytes: [UInt8]
    }

    /// A journal that cannot be read or applied.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Every complete record, in the order the calls returned. A record torn by the kill is
    /// dropped: its write then counts as synced, which can only hide a loss, never invent one.
    public let records: [Record]

    /// Reads the journal at `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read the power-loss journal \(path)")
        }
        var reader = Reader(bytes: [UInt8](data))
        var records: [Record] = []
        while let record = reader.next() { records.append(record) }
        self.records = records
    }

    /// What the double could not model. A writable mapping of an LMDB lock file is fine: it
    /// holds no data, and the first process to open the environment rebuilds it.
    public var unmodeled: [String] {
        records.compactMap { record in
            switch record.kind {
            case .unmodeled: "\(record.path): \(String(decoding: record.newBytes, as: UTF8.self))"
            case .mapping where !record.path.hasSuffix("/lock.mdb"): "\(record.path): shared writable mapping"
            default: nil
            }
        }
    }

    /// The positions (in `records`) of the writes and truncations a power loss may undo:
    /// those after the last sync of their file, except durable writes.
    public var unsynced: [Int] {
        changesSinceLastSync.filter { records[$0].kind != .durableWrite }
    }

    /// The positions of every write and truncation after the last sync of its file.
    private var changesSinceLastSync: [Int] {
        var lastSync: [String: Int] = [:]
        for (position, record) in records.enumerated() where record.kind == .sync { lastSync[record.path] = position }
        return records.indices.filter { position in
            let record = records[position]
            guard [.write, .durableWrite, .truncate].contains(record.kind) else { return false }
            return position > lastSync[record.path, default: -1]
        }
    }

    /// Loses power: in copies of the journaled files (the path prefix `from` replaced by
    /// `to`), undoes the records at `lost` (positions from `unsynced`) and keeps every other
    /// write, in order.
    public func losePower(undoing lost: Set<Int>, from: String, to: String) throws {
        guard lost.isSubset(of: Set(unsynced)) else { throw Failure(description: "only unsynced writes can be lost") }
        // The double names files by their resolved paths.
        guard let resolved = realpath(from, nil) else { throw Failure(description: "realpath(\(from)): errno \(errno)") }
        let from = String(cString: resolved)
        free(resolved)
        var files: [String: [Int]] = [:]
        for position in changesSinceLastSync { files[records[position].path, default: []].append(position) }
        for (path, positions) in files {
            guard path.hasPrefix(from) else { throw Failure(description: "\(path) is not under \(from)") }
            let copy = to + path.dropFirst(from.count)
            let fd = open(copy, O_RDWR)
            guard fd >= 0 else { throw Failure(description: "open(\(copy)): errno \(errno)") }
            defer { close(fd) }
            // Back to the file as last synced: undo every change since, newest first...
            for position in positions.reversed() {
                let record = records[position]
                // A write's old bytes start where it wrote; a truncation's at the new size.
                try truncate(fd, to: record.sizeBefore, copy)
                try write(fd, record.oldBytes, at: record.offset, copy)
            }
            // ...then redo the changes that reached the disk, oldest first.
            for position in positions where !lost.contains(position) {
                let record = records[position]
                if record.kind == .truncate {
                    try truncate(fd, to: record.offset, copy)
                } else {
                    try write(fd, record.newBytes, at: record.offset, copy)
                }
            }
        }
    }

    private func truncate(_ fd: Int32, to size: UInt64, _ path: String) throws {
        guard ftruncate(fd, off_t(size)) == 0 else { throw Failure(description: "ftruncate(\(path)): errno \(errno)") }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8], at offset: UInt64, _ path: String) throws {
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                pwrite(fd, buffer.baseAddress?.advanced(by: done), bytes.count - done, off_t(offset) + off_t(done))
            }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw Failure(description: "pwrite(\(path)): errno \(errno)") }
            done += written
        }
    }

    /// Reads records; nil at the end or at a torn last record.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func next() -> Record? {
            let start = offset
            guard let kindByte = take(1)?.first, let kind = Kind(rawValue: kindByte),
                let pathLength = integer(4), let path = take(Int(pathLength)),
                let at = integer(8), let before = integer(8), let after = integer(8),
                let oldLength = integer(8), let old = take(Int(oldLength)),
                let newLength = integer(8), let new = take(Int(newLength))
            else {
                offset = start
                return nil
            }
            return Record(
                kind: kind, path: String(decoding: path, as: UTF8.self), offset: at, sizeBefore: before,
                sizeAfter: after, oldBytes: old, newBytes: new)
        }

        private mutating func take(_ count: Int) -> [UInt8]? {
            guard count >= 0, bytes.count - offset >= count else { return nil }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        /// A little-endian unsigned integer of `size` bytes (the double writes native order,
        /// little-endian on every platform Corral runs on).
        private mutating func integer(_ size: Int) -> UInt64? {
            take(size).map { $0.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
        }
    }
}

extension PowerLossJournal {
    /// The double's shared library: `$CORRAL_POWER_LOSS_DOUBLE`, else
    /// `libCPowerLossDouble.so` next to the `corral` executable (SwiftPM builds both).
    public static func locateDouble() throws -> String {
        if let override = ProcessInfo.processInfo.environment["CORRAL_POWER_LOSS_DOUBLE"] { return override }
        let binary = try CorralBinary.locate()
        let library = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("libCPowerLossDouble.so").path
        guard FileManager.default.fileExists(atPath: library) else {
            throw Failure(description: "\(library) is missing: build it with `swift build --build-tests` (the CPowerLossDouble product)")
        }
        return library
    }

    /// The environment a child process needs to run under the double, journaling writes to
    /// files under `directory` into `journal`.
    public static func childEnvironment(double: String, directory: String, journal: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = double
        environment["CORRAL_POWER_LOSS_DIR"] = directory
        environment["CORRAL_POWER_LOSS_JOURNAL"] = journal
        return environment
    }
}
