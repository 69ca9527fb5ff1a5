import CZlib

/// Decompresses a gzip stream (concatenated members too) read from another source, or a raw
/// deflate stream (a zip member) when made with `raw`.
final class GzipSource: ByteSource {
    private let inner: any ByteSource
    private let what: String
    private var stream = z_stream()
    private var input = [UInt8](repeating: 0, count: 64 * 1024)
    private var inputEnded = false
    private var finished = false
    private let checksum: Bool

    /// Starts inflating `inner`: gzip (or zlib), or raw deflate when `raw` is set. Without
    /// `checksum` the members' CRC-32 is not computed: for a caller that hashes the whole
    /// uncompressed stream and checks it (a layer against its diff_id), where the CRC adds a
    /// tenth of the unpacking time and nothing the SHA-256 does not already catch.
    init(_ inner: any ByteSource, raw: Bool = false, checksum: Bool = true) throws {
        self.inner = inner
        self.checksum = checksum
        what = raw ? "deflate stream" : "gzip stream"
        guard (raw ? corral_inflate_init_raw(&stream) : corral_inflate_init(&stream)) == Z_OK else {
            throw ContainerError(.io, "inflateInit failed", cause: "zlib could not allocate its state")
        }
        if !checksum { inflateValidate(&stream, 0) }
    }

    deinit { inflateEnd(&stream) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while !finished {
            if stream.avail_in == 0 && !inputEnded { try refill() }
            if stream.avail_in == 0 && inputEnded {
                throw ContainerError(.malformed, "\(what) is truncated")
            }
            let (produced, status) = input.withUnsafeMutableBytes { raw -> (Int, Int32) in
                // `next_in` points into `input`; re-derive it from the consumed offset on every call.
                let consumed = inputFilled - Int(stream.avail_in)
                stream.next_in = raw.baseAddress?.assumingMemoryBound(to: Bytef.self).advanced(by: consumed)
                stream.next_out = base.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
                let status = inflate(&stream, Z_NO_FLUSH)
                stream.next_in = nil
                stream.next_out = nil
                return (buffer.count - Int(stream.avail_out), status)
            }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                try memberEnded()
            default:
                let reason = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                throw ContainerError(.malformed, "\(what) is corrupt", cause: reason)
            }
            if produced > 0 { return produced }
        }
        return 0
    }

    private var inputFilled = 0

    private func refill() throws {
        let count = try input.withUnsafeMutableBytes { try inner.read(into: $0) }
        inputFilled = count
        stream.avail_in = UInt32(count)
        if count == 0 { inputEnded = true }
    }

    /// After a member ends: another member may follow (concatenated gzip); otherwise the stream is done.
    private func memberEnded() throws {
        if stream.avail_in == 0 && !inputEnded { try refill() }
        if stream.avail_in == 0 {
            finished = true
            return
        }
        guard inflateReset(&stream) == Z_OK else {
            throw ContainerError(.malformed, "\(what) is corrupt", cause: "inflateReset failed")
        }
        if !checksum { inflateValidate(&stream, 0) }
    }
}
