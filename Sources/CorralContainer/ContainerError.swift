#if canImport(Glibc)
    import Glibc
#endif

/// The one error type of the launch path: what failed, at which stage, and why.
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

    /// Makes an error from a stage and an errno value.
    static func system(_ code: Code, _ stage: String, errno value: Int32) -> ContainerError {
        ContainerError(code, stage: stage, cause: String(cString: strerror(value)), errorNumber: value)
    }

    /// `<code>: <stage>: <cause>`.
    public var description: String { "\(code.rawValue): \(stage): \(cause)" }
}
