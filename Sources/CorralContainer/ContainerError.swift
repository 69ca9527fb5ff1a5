#if canImport(Glibc)
    import Glibc
#endif

/// The one error type of CorralContainer (the launch path and the image store): what failed,
/// at which stage, and why.
public struct ContainerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which part of the launch path failed.
    public enum Code: String, Sendable, Equatable {
        /// The spec cannot be launched as written.
        case invalidSpec
        /// clone, namespace setup, mounts, credentials or exec (reported by the C launcher).
        case launch
        /// Creating, configuring, reading or removing a cgroup.
        case cgroup
        /// Preparing or removing the overlay rootfs directories.
        case rootfs
        /// Reading or writing state, logs or pipes.
        case io
        /// An operation called in the wrong lifecycle state.
        case state
        /// No container with that name or id.
        case notFound
        /// Stopping, waiting for or supervising a running container.
        case supervise
        /// A blob named by an image descriptor is not in the image.
        case missingBlob
        /// A blob's SHA-256 or size differs from its descriptor.
        case digestMismatch
        /// A manifest, config or layer has a media type the store does not handle.
        case unsupportedMediaType
        /// JSON, tar or gzip content is malformed.
        case malformed
        /// A layer or archive entry would write outside its directory.
        case unsafePath
        /// The request is not valid (for example a bad image name).
        case invalidArgument
        /// Setting up or tearing down a container's bridge network (links, addresses, NAT).
        case network
        /// A registry could not be reached, refused the credentials, or answered unexpectedly.
        case registry
    }

    /// Which part failed.
    public let code: Code
    /// The stage that failed, e.g. `mount(overlay /var/lib/corral/containers/x/rootfs)`.
    public let stage: String
    /// The underlying cause, e.g. `No such file or directory`.
    public let cause: String
    /// The errno behind the failure, when there is one.
    public let errorNumber: Int32?

    /// Makes an error from a stage and a cause.
    public init(_ code: Code, stage: String, cause: String, errorNumber: Int32? = nil) {
        self.code = code
        self.stage = stage
        self.cause = cause
        self.errorNumber = errorNumber
    }

    /// Makes an error from a sentence saying what failed and an optional cause.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.init(code, stage: message, cause: cause ?? "")
    }

    /// What failed (the stage), as a sentence.
    public var message: String { stage }

    /// An `io` error for the failed `stage` on `path`, with the current `errno` as its cause.
    static func errno(_ stage: String, _ path: String, _ value: Int32 = Glibc.errno) -> ContainerError {
        ContainerError(.io, stage: "\(stage) '\(path)' failed", cause: String(cString: strerror(value)), errorNumber: value)
    }

    /// Wraps any error as a `ContainerError`, keeping it if it already is one.
    static func wrap(_ error: any Error, _ message: String) -> ContainerError {
        if let containerError = error as? ContainerError { return containerError }
        return ContainerError(.io, message, cause: String(describing: error))
    }

    /// Makes an error from a stage and an errno value.
    static func system(_ code: Code, _ stage: String, errno value: Int32) -> ContainerError {
        ContainerError(code, stage: stage, cause: String(cString: strerror(value)), errorNumber: value)
    }

    /// `<code>: <stage>: <cause>` (without the cause when there is none).
    public var description: String {
        cause.isEmpty ? "\(code.rawValue): \(stage)" : "\(code.rawValue): \(stage): \(cause)"
    }
}
