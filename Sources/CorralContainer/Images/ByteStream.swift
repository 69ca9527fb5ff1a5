import Glibc

/// A source of bytes read in chunks; `read` returns 0 at the end.
protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 only at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// The members of an archive (tar or zip): `next()` moves to the next member, and reading
/// gives that member's content.
protocol MemberReader: ByteSource {
    /// The next member, or nil at the end.
    func next() throws -> TarEntry?
}

/// A sink of bytes.
protocol ByteSink: AnyObject {
    /// Writes all of `buffer`.
    func write(_ buffer: UnsafeRawBufferPointer) throws
}

extension ByteSource {
    /// Reads exactly `buffer.count` bytes, or fewer only at the end; returns how many were read.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var total = 0
        while total < buffer.count {
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[total...]))
            if count == 0 { break }
            total += count
        }
        return total
    }

    /// Reads everything that is left, refusing more than `limit` bytes.
    func readAll(limit: Int, what: String) throws -> [UInt8] {
        let sink = MemorySink()
        guard try copy(to: sink, maximumBytes: Int64(limit) + 1) <= Int64(limit) else {
            throw ContainerError(.malformed, "\(what) is larger than \(limit) bytes")
        }
        return sink.bytes
    }

    /// Copies up to `maximumBytes` (by default everything that is left) into `sink`, or discards
    /// them when `sink` is nil; returns how many bytes were copied.
    @discardableResult
    func copy(to sink: (any ByteSink)?, maximumBytes: Int64 = .max) throws -> Int64 {
        var chunk = [UInt8](repeating: 0, count: 128 * 1024)
        var total: Int64 = 0
        while total < maximumBytes {
            let wanted = Int(min(Int64(chunk.count), maximumBytes - total))
            let count = try chunk.withUnsafeMutableBytes {
                try read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<wanted]))
            }
            if count == 0 { break }
            if let sink {
                try chunk.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            total += Int64(count)
        }
        return total
    }
}

extension ByteSink {
    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// Hashes and counts every byte read through it.
final class HashingSource: ByteSource {
    private let inner: any ByteSource
    /// The running SHA-256 of the bytes read so far.
    let hasher = SHA256Hasher()
    /// How many bytes have been read.
    private(set) var byteCount: Int64 = 0

    init(_ inner: any ByteSource) { self.inner = inner }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = try inner.read(into: buffer)
        hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        byteCount += Int64(count)
        return count
    }

}

/// Hashes and counts every byte written through it.
final class HashingSink: ByteSink {
    private let inner: any ByteSink
    /// The running SHA-256 of the bytes written so far.
    let hasher = SHA256Hasher()
    /// How many bytes have been written.
    private(set) var byteCount: Int64 = 0

    init(_ inner: any ByteSink) { self.inner = inner }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        hasher.update(buffer)
        byteCount += Int64(buffer.count)
        try inner.write(buffer)
    }
}

/// Collects written bytes in memory (the in-memory twin of `FileSink`).
final class MemorySink: ByteSink {
    /// Everything written so far.
    private(set) var bytes: [UInt8] = []

    func write(_ buffer: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: buffer) }
}

/// Serves bytes from memory (the in-memory twin of `FileSource`).
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    /// Serves `bytes` from the start.
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        bytes.withUnsafeBytes { all in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: all[offset..<(offset + count)]))
        }
        offset += count
        return count
    }
}
