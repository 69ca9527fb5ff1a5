import CorralContainer
import CorralTestSupport
import Foundation

/// A `LayerSource` for tests: one lower directory holding Debian's static busybox
/// and its applet links, standing in for the OCI image store.
struct BusyboxLayerSourceDouble: LayerSource {
    /// The rootfs directory returned as the only layer.
    let directory: String

    /// Builds the rootfs under `directory` from `/bin/busybox`.
    init(directory: String) throws {
        self.directory = directory
        try BusyboxRootfs.build(at: directory)
    }

    func lowerDirectories(forImage reference: String) throws -> [String] { [directory] }
}
