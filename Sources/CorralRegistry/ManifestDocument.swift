import CorralContainer
import Foundation

/// A pushed manifest, parsed by its media type: what it refers to.
struct ManifestDocument {
    /// The media types a manifest may be pushed with.
    static let supportedMediaTypes = [
        MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList,
    ]
    /// The largest manifest accepted (the size the distribution spec asks registries to take).
    static let maxBytes = 4 << 20

    /// Its media type: the `Content-Type` it was pushed with, or the document's own
    /// `mediaType` when the request named none.
    var mediaType: String
    /// The blobs it refers to (an image manifest's config and layers).
    var blobs: [Descriptor]
    /// The manifests it refers to (an index's or manifest list's entries).
    var manifests: [Descriptor]

    /// Parses `bytes` pushed with `Content-Type: contentType` (parameters ignored), checking
    /// that the type is one the registry takes and that the body is that kind of document.
    init(_ bytes: [UInt8], contentType: String?) throws(RegistryError) {
        struct Header: Decodable {
            var schemaVersion: Int?
            var mediaType: String?
        }
        var mediaType = Self.mediaType(contentType)
        if mediaType.isEmpty, let declared = (try? JSONDecoder().decode(Header.self, from: Data(bytes)))?.mediaType {
            mediaType = declared
        }
        self.mediaType = mediaType
        guard Self.supportedMediaTypes.contains(mediaType) else {
            throw RegistryError(
                .manifestInvalid,
                "unsupported manifest media type '\(mediaType)': push the manifest with Content-Type set to one of "
                    + Self.supportedMediaTypes.joined(separator: ", "),
                detail: ["mediaType": mediaType, "supported": Self.supportedMediaTypes.joined(separator: ",")]
            )
        }
        let header: Header = try Self.decode(Header.self, bytes, mediaType)
        guard header.schemaVersion == 2 else {
            throw RegistryError(.manifestInvalid, "manifest schemaVersion must be 2 (got \(header.schemaVersion.map(String.init) ?? "none"))")
        }
        if let declared = header.mediaType, declared != mediaType {
            throw RegistryError(
                .manifestInvalid,
                "manifest says its mediaType is '\(declared)' but was pushed as '\(mediaType)'; make the Content-Type match",
                detail: ["mediaType": declared, "contentType": mediaType]
            )
        }
        if MediaType.indexes.contains(mediaType) {
            blobs = []
            manifests = try Self.decode(ImageIndex.self, bytes, mediaType).manifests
        } else {
            let manifest = try Self.decode(ImageManifest.self, bytes, mediaType)
            blobs = [manifest.config] + manifest.layers
            manifests = []
        }
    }

    /// The bare media type of a `Content-Type` value (`a/b; charset=x` → `a/b`).
    static func mediaType(_ contentType: String?) -> String {
        let type = contentType?.split(separator: ";", maxSplits: 1).first ?? ""
        return type.trimmingCharacters(in: .whitespaces).lowercased()
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8], _ mediaType: String) throws(RegistryError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw RegistryError(
                .manifestInvalid, "the body is not a valid \(mediaType) document: \(Self.reason(error))",
                detail: ["mediaType": mediaType])
        }
    }

    /// A short reason for a decoding failure (the field and what was wrong).
    private static func reason(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            (context.codingPath.map(\.stringValue).joined(separator: ".") + " " + context.debugDescription)
                .trimmingCharacters(in: .whitespaces)
        default: String(describing: error)
        }
    }
}
