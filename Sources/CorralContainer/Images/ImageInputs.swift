/// The image parsers that read bytes from registries and archives, opened to the fuzz
/// harness (`corral fuzz`), which feeds them hostile input through the same code paths
/// `corral image pull` and `corral image load` take.
public enum ImageInputs {
    /// Unpacks a layer blob (a tar, gzip-compressed when it starts with the gzip magic) into
    /// `directory`, which must exist, as a pulled layer is unpacked.
    public static func unpackLayer(_ bytes: [UInt8], into directory: String) throws {
        let memory = MemorySource(bytes)
        let source: any ByteSource = bytes.starts(with: [0x1f, 0x8b]) ? try GzipSource(memory) : memory
        try LayerUnpacker(root: directory, mode: .layer).unpack(TarReader(source))
    }

    /// Inflates a gzip stream (checking its CRC) and returns how many bytes it holds.
    public static func inflatedSize(_ bytes: [UInt8]) throws -> Int64 {
        try GzipSource(MemorySource(bytes)).copy(to: nil)
    }

    /// Decodes `bytes` as an OCI image manifest, an image index and an image config, as a
    /// pull does; returns how many of the three it is.
    @discardableResult
    public static func decodeDocuments(_ bytes: [UInt8]) -> Int {
        var decoded = 0
        if (try? JSONCoding.decode(ImageManifest.self, from: bytes, what: "manifest")) != nil { decoded += 1 }
        if (try? JSONCoding.decode(ImageIndex.self, from: bytes, what: "image index")) != nil { decoded += 1 }
        if (try? JSONCoding.decode(ImageConfigFile.self, from: bytes, what: "image config")) != nil { decoded += 1 }
        return decoded
    }

    /// Compresses `bytes` with gzip, as layers are written (for building fuzz seeds).
    public static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let memory = MemorySink()
        let sink = try GzipSink(memory)
        try sink.write(bytes)
        try sink.finish()
        return memory.bytes
    }
}
