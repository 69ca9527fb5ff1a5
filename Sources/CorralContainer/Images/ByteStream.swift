import Glibc

/// A source of bytes read in chunks; `read` returns 0 at the end.
protocol ByteSource: AnyObject {
    /// Reads up to `buffer.count` bytes into `buffer`; returns 0 only at the end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
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
        var result = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
            if result.count > limit {
                throw ImageError(.malformed, "\(what) is larger than \(limit) bytes")
            }
        }
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

    /// Reads the rest of the stream (so the hash covers all of it) and discards it.
    func drain() throws {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while try chunk.withUnsafeMutableBytes({ try read(into: $0) }) > 0 {}
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
