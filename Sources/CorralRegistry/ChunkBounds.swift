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
        guard parts.count == 2, let start = Int64(parts[0]), let end = Int64(parts[1]), start >= 0, start <= end, end < .max else {
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

    /// What one request may add to an upload holding `uploaded` bytes on a registry whose
    /// blobs may reach `maxBlobBytes`: `limit` bytes; `declared` when the headers said how many
    /// (so fewer is a cut-short upload); `tooLong`, for a streamed body, the 413 to answer when
    /// it runs past the cap. Throws `limit`'s refusals, and 413 `SIZE_INVALID` before a byte
    /// is read when the headers already ask for more than the cap leaves.
    static func allowance(
        uploaded: Int64, contentRange: String?, contentLength: String?, maxBlobBytes: Int64, progress: [String: String] = [:]
    ) throws(RegistryError) -> (limit: Int64, declared: Bool, tooLong: RegistryError?) {
        let declared = try limit(uploaded: uploaded, contentRange: contentRange, contentLength: contentLength, progress: progress)
        let room = max(0, maxBlobBytes - max(0, uploaded))
        let tooLarge = RegistryError(
            .sizeInvalid,
            "the blob would exceed \(maxBlobBytes) bytes, the most this registry takes (--max-blob-bytes); "
                + "cancel this upload (DELETE) and push a smaller blob",
            detail: ["limit": String(maxBlobBytes), "uploaded": String(uploaded)], status: 413)
        if let declared {
            if declared > room { throw tooLarge }
            return (declared, true, nil)
        }
        return (room, false, tooLarge)
    }
}
