import CZlib

/// Compresses everything written to it as one gzip member into another sink.
final class GzipSink: ByteSink {
    private let inner: any ByteSink
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 64 * 1024)
    private var finished = false

    /// Starts a gzip member at compression `level` (zlib 0–9).
    init(_ inner: any ByteSink, level: Int32 = 6) throws {
        self.inner = inner
        guard corral_deflate_init_gzip(&stream, level) == Z_OK else {
            throw ContainerError(.io, "deflateInit failed", cause: "zlib could not allocate its state")
        }
    }

    deinit { deflateEnd(&stream) }

    func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        stream.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = UInt32(buffer.count)
        defer { stream.next_in = nil }
        while stream.avail_in > 0 { _ = try pump(Z_NO_FLUSH) }
    }

    /// Writes the gzip trailer; call once after the last write.
    func finish() throws {
        guard !finished else { return }
        finished = true
        while try pump(Z_FINISH) != Z_STREAM_END {}
    }

    /// Runs deflate once into `output` and forwards what it produced.
    private func pump(_ flush: Int32) throws -> Int32 {
        var status: Int32 = Z_OK
        let produced = output.withUnsafeMutableBytes { raw -> Int in
            stream.next_out = raw.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = UInt32(raw.count)
            status = deflate(&stream, flush)
            stream.next_out = nil
            return raw.count - Int(stream.avail_out)
        }
        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
            throw ContainerError(.io, "gzip compression failed", cause: "deflate status \(status)")
        }
        if produced > 0 { try inner.write(Array(output[0..<produced])) }
        return status
    }
}
