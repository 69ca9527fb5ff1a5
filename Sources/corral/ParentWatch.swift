import Foundation

/// `--exit-with-parent`: test harnesses start masters, agents and `corral up` with it, so a
/// harness that dies does not leave them running.
enum ParentWatch {
    /// Exits when this process is re-parented (its parent died). With `expectedParent` (the
    /// starter's pid, `--parent-pid`), a parent that died before the watch began is noticed too.
    static func exitWhenOrphaned(expectedParent: Int32? = nil) {
        whenOrphaned(expectedParent: expectedParent) { Foundation.exit(0) }
    }

    /// Runs `action` once, when this process is re-parented: at once (on this thread) if it
    /// already has been, else from a thread of its own that looks every 200 ms.
    static func whenOrphaned(expectedParent: Int32? = nil, _ action: @escaping @Sendable () -> Void) {
        let parent = expectedParent ?? getppid()
        if getppid() != parent {
            action()
            return
        }
        Thread.detachNewThread {
            while getppid() == parent { usleep(200_000) }
            action()
        }
    }
}
