/// Mesos's RecordIO framing (`docs/recordio.md`): each record is its length in bytes as
/// decimal ASCII, a line feed, then the bytes. `record = 1*DIGIT LF record-size(OCTET)`.
public enum RecordIO {
    /// Frames one record: `"<length>\n<bytes>"`.
    public static func encode(_ record: some Collection<UInt8>) -> [UInt8] {
        var framed = Array(String(record.count).utf8)
        framed.reserveCapacity(framed.count + 1 + record.count)
        framed.append(UInt8(ascii: "\n"))
        framed.append(contentsOf: record)
        return framed
    }

    /// Frames several records back to back.
    public static func encode(records: some Sequence<some Collection<UInt8>>) -> [UInt8] {
        var framed: [UInt8] = []
        for record in records { framed.append(contentsOf: encode(record)) }
        return framed
    }
}

/// An incremental RecordIO decoder: feed it chunks as they arrive, cut anywhere, and it
/// returns each complete record once.
///
/// Like Mesos's decoder (`stout/recordio.hpp`) it fails for good on a bad length header; it
/// also refuses a header longer than 20 digits or a length over `maximumRecordBytes`, so a
/// corrupt stream cannot make it buffer without bound. `finish()` reports a stream that
/// ended inside a record.
public struct RecordIODecoder: Sendable {
    /// The largest record accepted.
    public let maximumRecordBytes: UInt64

    private enum State: Sendable {
        case header(digits: [UInt8])
        case record(remaining: Int, bytes: [UInt8])
        case failed(ModelError)
    }

    private var state: State = .header(digits: [])

    /// The most digits a `uint64` length can have.
    private static let maximumHeaderDigits = 20

    /// Makes a decoder that accepts records up to `maximumRecordBytes` (default 64 MiB).
    public init(maximumRecordBytes: UInt64 = 64 << 20) {
        self.maximumRecordBytes = maximumRecordBytes
    }

    /// Consumes a chunk and returns the records it completes, in order.
    ///
    /// - Throws: `ModelError` `.invalidRecordLength` for a header that is not a decimal
    ///   number or is too large, and `.decoderFailed` on every call after that.
    public mutating func decode(_ chunk: some Collection<UInt8>) throws(ModelError) -> [[UInt8]] {
        var records: [[UInt8]] = []
        var index = chunk.startIndex
        while index != chunk.endIndex {
            switch state {
            case .failed(let error):
                throw ModelError(
                    .decoderFailed,
                    "the RecordIO decoder already failed",
                    cause: error.description
                )
            case .header(var digits):
                let byte = chunk[index]
                index = chunk.index(after: index)
                guard byte != UInt8(ascii: "\n") else {
                    let length = try parseLength(digits)
                    if length == 0 {
                        records.append([])
                        state = .header(digits: [])
                    } else {
                        state = .record(remaining: length, bytes: [])
                    }
                    continue
                }
                digits.append(byte)
                guard digits.count <= RecordIODecoder.maximumHeaderDigits else {
                    throw fail("length header \"\(Self.printable(digits))…\" is longer than 20 digits")
                }
                state = .header(digits: digits)
            case .record(let remaining, var bytes):
                let available = chunk.distance(from: index, to: chunk.endIndex)
                let take = min(remaining, available)
                let end = chunk.index(index, offsetBy: take)
                if bytes.isEmpty { bytes.reserveCapacity(remaining) }
                bytes.append(contentsOf: chunk[index..<end])
                index = end
                if take == remaining {
                    records.append(bytes)
                    state = .header(digits: [])
                } else {
                    state = .record(remaining: remaining - take, bytes: bytes)
                }
            }
        }
        return records
    }

    /// Checks that the stream ended between records.
    ///
    /// - Throws: `ModelError` `.truncatedRecord` when it ended inside a header or a record.
    public func finish() throws(ModelError) {
        switch state {
        case .header(let digits) where digits.isEmpty:
            return
        case .header(let digits):
            throw ModelError(
                .truncatedRecord,
                "the stream ended inside the length header \"\(Self.printable(digits))\""
            )
        case .record(let remaining, let bytes):
            throw ModelError(
                .truncatedRecord,
                "the stream ended \(remaining) bytes short of a \(remaining + bytes.count)-byte record"
            )
        case .failed(let error):
            throw ModelError(.decoderFailed, "the RecordIO decoder already failed", cause: error.description)
        }
    }

    // MARK: - Helpers

    private mutating func parseLength(_ digits: [UInt8]) throws(ModelError) -> Int {
        guard !digits.isEmpty else { throw fail("empty length header (a line feed with no digits)") }
        var length: UInt64 = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else {
                throw fail("length header \"\(Self.printable(digits))\" is not a decimal number")
            }
            let (times10, overflow1) = length.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else {
                throw fail("length header \"\(Self.printable(digits))\" does not fit in 64 bits")
            }
            length = sum
        }
        guard length <= maximumRecordBytes, let size = Int(exactly: length) else {
            throw fail("record length \(length) exceeds the limit of \(maximumRecordBytes) bytes")
        }
        return size
    }

    private mutating func fail(_ message: String) -> ModelError {
        let error = ModelError(.invalidRecordLength, message)
        state = .failed(error)
        return error
    }

    private static func printable(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(24), as: UTF8.self)
            .unicodeScalars.map {
                $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}"
            }
            .joined()
    }
}
