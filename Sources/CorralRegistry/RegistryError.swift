import CorralContainer
import Foundation

/// The one error type of CorralRegistry: an OCI Distribution Spec error code, the HTTP status
/// it is answered with, a message saying what was wrong and what to do, and optional detail.
public struct RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error codes of the distribution spec (plus `RANGE_INVALID` and `UNKNOWN`, as the
    /// reference registry answers them).
    public enum Code: String, Sendable, Equatable {
        case blobUnknown = "BLOB_UNKNOWN"
        case blobUploadInvalid = "BLOB_UPLOAD_INVALID"
        case blobUploadUnknown = "BLOB_UPLOAD_UNKNOWN"
        case digestInvalid = "DIGEST_INVALID"
        case manifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN"
        case manifestInvalid = "MANIFEST_INVALID"
        case manifestUnknown = "MANIFEST_UNKNOWN"
        case nameInvalid = "NAME_INVALID"
        case nameUnknown = "NAME_UNKNOWN"
        case sizeInvalid = "SIZE_INVALID"
        case tagInvalid = "TAG_INVALID"
        case unauthorized = "UNAUTHORIZED"
        case denied = "DENIED"
        case unsupported = "UNSUPPORTED"
        case rangeInvalid = "RANGE_INVALID"
        case unknown = "UNKNOWN"

        /// The status the code is answered with unless an error says otherwise.
        var defaultStatus: Int {
            switch self {
            case .blobUnknown, .blobUploadUnknown, .manifestUnknown, .nameUnknown: 404
            case .unauthorized: 401
            case .denied: 403
            case .unsupported: 405
            case .rangeInvalid: 416
            case .unknown: 500
            default: 400
            }
        }
    }

    /// The spec's error code.
    public let code: Code
    /// The HTTP status of the answer.
    public let status: Int
    /// What was wrong and what to do about it.
    public let message: String
    /// Structured detail (the offending value, what is accepted), or nil.
    public let detail: [String: String]?
    /// Extra response headers (`Range` on a 416, `WWW-Authenticate` on a 401).
    public let headers: [String: String]

    /// An error with `code`, answered with the code's usual status unless `status` is given.
    public init(
        _ code: Code, _ message: String, detail: [String: String]? = nil, status: Int? = nil,
        headers: [String: String] = [:]
    ) {
        self.code = code
        self.status = status ?? code.defaultStatus
        self.message = message
        self.detail = detail
        self.headers = headers
    }

    /// `<CODE>: <message>`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// A storage failure (disk full, permissions) as a 500 that names what failed.
    static func storage(_ error: any Error, _ what: String) -> RegistryError {
        if let registryError = error as? RegistryError { return registryError }
        return RegistryError(.unknown, "\(what) failed: \(error)")
    }

    /// The JSON body of the answer: `{"errors":[{"code","message","detail"}]}`.
    var body: [UInt8] {
        struct Entry: Encodable {
            var code: String
            var message: String
            var detail: [String: String]?
        }
        struct Envelope: Encodable { var errors: [Entry] }
        let envelope = Envelope(errors: [Entry(code: code.rawValue, message: message, detail: detail)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(envelope))) ?? Array(#"{"errors":[{"code":"UNKNOWN"}]}"#.utf8)
    }
}
