import CorralContainer
import Foundation

// MERGE POINT: the one place `--image` is resolved. Wire this to the OCI
// `ImageStore` (under `<root>/images`) when the image store lands; nothing else
// in the CLI knows where layers come from.

/// The `LayerSource` the CLI resolves `--image` through.
func makeLayerSource(root: String) -> any LayerSource {
    UnmergedLayerSource(imagesDirectory: "\(root)/images")
}

/// Stand-in until the image store is merged: an absolute path to an unpacked
/// rootfs directory is used as the single layer; any other reference is an error.
struct UnmergedLayerSource: LayerSource {
    let imagesDirectory: String

    func lowerDirectories(forImage reference: String) throws -> [String] {
        guard reference.hasPrefix("/") else {
            throw ContainerError(
                .notFound,
                stage: "resolve image \(reference)",
                cause: "the image store (\(imagesDirectory)) is not merged yet; pass a rootfs directory path"
            )
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw ContainerError(.notFound, stage: "resolve image \(reference)", cause: "no such directory")
        }
        return [reference]
    }
}
