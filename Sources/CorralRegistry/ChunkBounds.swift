/// The rules for the bytes one request may add to an upload (pure: header values in, a
/// limit or an error out).
enum ChunkBounds {
    /// How many bytes a request may add to an upload that holds `uploaded` bytes: what its
    /// `Content-Range` (`<start>-<end>`, inclusive, which must start at `uploaded`) and
    /// `Content-Length` say, or nil when neither limits it (a streamed body).
    ///
    /// Throws `RANGE_INVALID` for a malformed or out-of-order range and `SIZE_INVALID` when the
    /// two headers disagree, before a byte is read; a `RANGE_INVALID` answer carries the
    /// `progress` headers (the upload's `Range` and `Location`), so the client can go on.
    static func limit(
        uploaded: Int64, contentRange: String?, contentLength: String?, progress: [String: String] = [:]
    ) throws(RegistryError) -> Int64? {
        var declaredLength: Int64?
        if let contentLength {
            guard let length = Int64(contentLength), length >= 0 else {
                throw RegistryError(.sizeInvalid, "Content-Length '\(contentLength)' is not a byte count")
            }
            declaredLength = length
        }
        guard let contentRange else { return declaredLength }
        let text = contentRange.hasPrefix("bytes ") ? String(contentRange.dropFirst(6)) : contentRange
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int64(parts[0]), let end = Int64(parts[1]), start >= 0, start <= end else {
            throw RegistryError(
                .rangeInvalid, "Content-Range '\(contentRange)' is not <start>-<end> (inclusive byte positions)",
                detail: ["range": contentRange], headers: progress)
        }
        guard start == uploaded else {
            throw RegistryError(
                .rangeInvalid,
                "chunk starts at byte \(start) but the upload holds \(uploaded) bytes; send the chunk that starts at \(uploaded)",
                detail: ["range": contentRange, "uploaded": String(uploaded)], headers: progress)
        }
        let rangeLength = end - start + 1
        if let declaredLength, declaredLength != rangeLength {
            throw RegistryError(
                .sizeInvalid, "Content-Length \(declaredLength) does not match Content-Range '\(contentRange)' (\(rangeLength) bytes)",
                detail: ["range": contentRange, "length": String(declaredLength)])
        }
        return rangeLength
    }
}
