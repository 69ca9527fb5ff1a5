import CorralContainer
import Foundation

/// The one place the CLI resolves `--image`: the OCI image store under `<root>/images`.
/// An absolute path to an unpacked rootfs directory is also accepted, as a one-layer image.
func makeLayerSource(root: String) throws -> any LayerSource {
    ImageOrDirectory(store: try ImageStore(root: root))
}

/// Resolves a reference through the image store, or an absolute directory path as itself.
struct ImageOrDirectory: LayerSource {
    let store: ImageStore

    func lowerDirectories(forImage reference: String) throws -> [String] {
        if reference.hasPrefix("/") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw ContainerError(.notFound, stage: "resolve image \(reference)", cause: "no such directory")
            }
            return [reference]
        }
        return try store.lowerDirectories(forImage: reference)
    }

    /// The image's process defaults (entrypoint, cmd, env, workdir), or none for a directory.
    func config(forImage reference: String) throws -> ImageConfig? {
        reference.hasPrefix("/") ? nil : try store.config(forImage: reference)
    }
}
