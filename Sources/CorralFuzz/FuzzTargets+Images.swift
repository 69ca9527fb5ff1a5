import CorralContainer
import CorralRegistry
import Foundation

// MARK: - Image layers, OCI documents and registry requests

extension FuzzTargets {
    static let images: [FuzzTarget] = [
        FuzzTarget(
            name: "layer-tar", summary: "an image layer tar unpacked into a scratch directory (whiteouts, links, PAX)",
            format: .binary, seeds: ImageSeeds.tars
        ) { input, scratch in try ImageInputs.unpackLayer(input, into: scratch) },
        FuzzTarget(
            name: "layer-gzip", summary: "a gzip-compressed layer: inflated (with its CRC), then unpacked",
            format: .binary, seeds: ImageSeeds.tars.compactMap { try? ImageSeeds.gzip($0) }
        ) { input, scratch in
            _ = try ImageInputs.inflatedSize(input)
            try ImageInputs.unpackLayer(input, into: scratch)
        },
        FuzzTarget(
            name: "oci-json", summary: "OCI image manifests, indexes and configs, and a manifest PUT to the registry",
            format: .text, seeds: ImageSeeds.documents.map { [UInt8](utf8: $0) }
        ) { input, _ in
            let decoded = ImageInputs.decodeDocuments(input)
            do { try RegistryInputs.parseManifest(input, contentType: nil) } catch { if decoded == 0 { throw error } }
        },
        FuzzTarget(
            name: "registry-request", summary: "registry request paths, queries and Content-Range headers",
            format: .text, seeds: ImageSeeds.requests.map { [UInt8](utf8: $0) }
        ) { input, _ in
            // Lines: path, query, Content-Range, Content-Length.
            let lines = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            func line(_ index: Int) -> String? { index < lines.count && !lines[index].isEmpty ? String(lines[index]) : nil }
            _ = try RegistryInputs.parseRequest(
                path: line(0) ?? "", query: line(1) ?? "", contentRange: line(2), contentLength: line(3))
        },
    ]
}
