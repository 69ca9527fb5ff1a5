/// Resolves an image reference to the overlayfs lower directories of its layers.
///
/// The OCI image store conforms to this; the launch path only needs the directories.
public protocol LayerSource: Sendable {
    /// The layer directories of `reference`, ordered topmost layer first (as `lowerdir=` wants).
    func lowerDirectories(forImage reference: String) throws -> [String]
}
