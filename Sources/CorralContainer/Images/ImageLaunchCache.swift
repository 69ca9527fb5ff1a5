import Glibc
import Synchronization

/// What a container of an image needs at launch: its layer directories (topmost first, as
/// overlayfs `lowerdir=` wants) and how it runs.
public struct LaunchImage: Sendable, Equatable {
    /// The image's name as it was found.
    public var name: String
    /// `ImageStore.lowerDirectories(forImage:)`.
    public var layers: [String]
    /// `ImageStore.config(forImage:)`.
    public var config: ImageConfig
}

/// Images resolved for launches, kept for as long as the store's `index.json` is the same
/// file: a launch then costs one `stat` instead of reading and verifying the index, the
/// manifest and the config. Any import, removal or garbage collection replaces `index.json`
/// (by rename, so with a new inode) and empties the cache; blobs are content-addressed, so
/// nothing else can change under a name.
public final class ImageLaunchCache: Sendable {
    /// The state root the store is under (`ImageStore(root:)`).
    public let root: String
    private struct State {
        var store: ImageStore?
        var index: IndexIdentity?
        var images: [String: LaunchImage] = [:]
    }
    private struct IndexIdentity: Equatable {
        var device: UInt64, inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int
    }
    private let state = Mutex(State())

    /// A cache of the store under `root`; nothing is opened until the first lookup.
    public init(root: String) {
        self.root = root
    }

    /// The image named `reference`.
    ///
    /// - Throws: `ContainerError` `.notFound` when the store has no such image (or a layer of
    ///   it is not unpacked); other codes when the store cannot be opened or read.
    public func image(_ reference: String) throws -> LaunchImage {
        try state.withLock { state in
            let store: ImageStore
            if let open = state.store {
                store = open
            } else {
                store = try ImageStore(root: root)
                state.store = store
            }
            let index = try Self.identity(of: store.indexPath)
            if index != state.index {
                state.images = [:]
                state.index = index
            }
            if let cached = state.images[reference] { return cached }
            let image = try store.launchImage(reference)
            // Cached only if the index did not change while it was read.
            if try Self.identity(of: store.indexPath) == index { state.images[reference] = image }
            return image
        }
    }

    /// How many images are cached (for tests).
    var count: Int { state.withLock { $0.images.count } }

    private static func identity(of path: String) throws -> IndexIdentity? {
        guard let info = try Syscall.lstatIfExists(path) else { return nil }
        return IndexIdentity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
            seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec)
    }
}

extension ImageStore {
    /// The layers and config of `reference`, read once (`lowerDirectories` and `config`
    /// each resolve the image).
    public func launchImage(_ reference: String) throws -> LaunchImage {
        let image = try resolve(reference)
        return LaunchImage(
            name: reference, layers: try lowerDirectories(of: image, reference: reference),
            config: image.configFile.config ?? ImageConfig())
    }
}
