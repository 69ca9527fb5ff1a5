import CorralContainer
import Foundation
import Synchronization

/// Pulls the images tasks name into the agent's image store on first use: once per image
/// even when many tasks ask for it at the same moment (the others wait for that pull, then
/// find the image in the store).
final class ImagePuller: Sendable {
    let imageRoot: String
    let settings: ImagePullSettings
    private let locks = Mutex<[String: NSLock]>([:])
    private let started = Atomic<Int>(0)

    init(imageRoot: String, settings: ImagePullSettings) {
        self.imageRoot = imageRoot
        self.settings = settings
    }

    /// How many pulls this agent has started (each image once, unless a pull failed).
    var pullsStarted: Int { started.load(ordering: .relaxed) }

    /// The reference to pull for the task's image `name`: the name itself when it names its
    /// registry, else the name on the default registry; nil when it names none and there is
    /// no default.
    func reference(for name: String) throws -> ImageReference? {
        if let named = try? ImageReference(parsing: name) { return named }
        guard let registry = settings.defaultRegistry else { return nil }
        return try ImageReference(parsing: "\(registry)/\(name)")
    }

    /// Pulls `reference` into the store under `name` unless a pull of it finished while this
    /// one waited; then returns it as `images` resolves it.
    func pull(_ reference: ImageReference, as name: String, images: ImageLaunchCache) throws -> LaunchImage {
        let lock = locks.withLock { locks in
            if let existing = locks[name] { return existing }
            let made = NSLock()
            locks[name] = made
            return made
        }
        lock.lock()
        defer { lock.unlock() }
        if let image = try? images.image(name) { return image }
        started.add(1, ordering: .relaxed)
        let options = RegistryOptions(
            insecure: settings.insecure, credentials: settings.credentials, timeout: settings.timeoutSeconds,
            caCertificate: settings.caCertificate)
        _ = try ImageStore(root: imageRoot).pull(reference, name: name, options: options)
        return try images.image(name)
    }
}

/// Where an agent pulls the images its tasks name from.
public struct ImagePullSettings: Sendable, Equatable {
    /// `host[:port]` for image names that name no registry (`busybox:1.36`); nil: such names
    /// must already be in the store.
    public var defaultRegistry: String?
    /// Plain HTTP to the registries (else HTTPS).
    public var insecure: Bool
    /// For HTTP basic authentication or the registry's token server.
    public var credentials: RegistryCredentials?
    /// Seconds a request may stay idle before the pull fails.
    public var timeoutSeconds: Double
    /// A PEM file of CAs HTTPS trusts instead of the system's.
    public var caCertificate: String?

    public init(
        defaultRegistry: String? = nil, insecure: Bool = false, caCertificate: String? = nil,
        credentials: RegistryCredentials? = nil, timeoutSeconds: Double = 60
    ) {
        self.defaultRegistry = defaultRegistry
        self.insecure = insecure
        self.caCertificate = caCertificate
        self.credentials = credentials
        self.timeoutSeconds = timeoutSeconds
    }
}
