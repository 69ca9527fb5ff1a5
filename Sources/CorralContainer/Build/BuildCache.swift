/// The build cache of an image store: `<store>/build-cache.json`, mapping each build step's key
/// (the digest of its parent image, its instruction after substitution, and for `COPY`/`ADD` the
/// content it copies) to the manifest digest of the image that step made.
///
/// The file is only written under the store lock, and replaced whole by rename (`writeAtomically`),
/// so a reader sees the old or the new file, never a torn one. It is a cache: a file that cannot be
/// read counts as empty (every step misses and is run again), and an entry whose image is gone
/// from the store is a miss. Its images are roots for the store's garbage collection.
struct BuildCache {
    /// The image store's directory (`<root>/images`).
    let storeDirectory: String

    var path: String { storeDirectory + "/build-cache.json" }

    private struct File: Codable {
        var entries: [String: Digest]
    }

    /// Every key and the manifest its step made; empty when the file is missing or unreadable.
    func entries() -> [String: Digest] {
        guard let bytes = try? Syscall.readFile(path, limit: 64 << 20),
            let file = try? JSONCoding.decode(File.self, from: bytes, what: "build cache")
        else { return [:] }
        return file.entries
    }

    /// Records that the step `key` made the image with manifest `digest`; call under the store lock.
    func record(_ key: String, _ digest: Digest) throws {
        var all = entries()
        all[key] = digest
        try Syscall.writeAtomically(try JSONCoding.encode(File(entries: all)), to: path)
    }

    /// Forgets every entry (their images become garbage); call under the store lock.
    func clear() throws {
        try Syscall.writeAtomically(try JSONCoding.encode(File(entries: [:])), to: path)
    }

    /// The key of a step: SHA-256 over the parent image, the instruction, and what it copies.
    static func key(parent: Digest?, instruction: String, content: String = "") -> String {
        let text =
            "parent \(parent?.description ?? "scratch")\ninstruction \(instruction)\ncontent \(content)\n"
        return SHA256Hasher.hex(of: Array(text.utf8))
    }
}
