import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Process {
    /// Starts the process with only its standard input, output and error from this one,
    /// whatever other threads open meanwhile.
    ///
    /// On Linux, `Process` closes in the child every descriptor up to the highest one open
    /// when it looks (it reads /proc/self/fd), then spawns. A descriptor opened by another
    /// thread between the look and the spawn, numbered above it, goes to the child: SwiftNIO
    /// opens its sockets without close-on-exec, so a browser, master or agent started beside
    /// a busy server kept that server's sockets for its whole life (a test's requests went
    /// unanswered until the child ended). `InheritedFiles` holds the highest descriptor
    /// number there is to close, so the look always covers every number a new descriptor
    /// can take.
    public func runWithoutInheritedFiles() throws {
        InheritedFiles.holdHighestDescriptor()
        try run()
    }
}

/// The descriptor held at the top of the numbers `Process` closes in its children.
public enum InheritedFiles {
    /// The highest number held: below the open-files limit, and at most 4095 so that a
    /// spawn closes a few thousand numbers, not a million (a process with more than 4096
    /// descriptors open is not protected above that).
    public static let heldDescriptor: Int32 = {
        var limit = rlimit()
        let soft = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Int64(limit.rlim_cur) : 1024
        return Int32(max(3, min(soft, 4096) - 1))
    }()

    private static let held: Bool = {
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard devNull >= 0 else { return false }
        defer { close(devNull) }
        // The lowest free number from there (never one in use), close-on-exec: the
        // placeholder itself never reaches a child.
        return fcntl(devNull, F_DUPFD_CLOEXEC, heldDescriptor) >= heldDescriptor
    }()

    /// Opens the placeholder (once per process); false if it could not be opened, and then
    /// spawns are only as safe as `Process` makes them.
    @discardableResult
    public static func holdHighestDescriptor() -> Bool { held }
}
