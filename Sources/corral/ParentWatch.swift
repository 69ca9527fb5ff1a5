import Foundation

/// `--exit-with-parent`: test harnesses start masters and agents with it, so a harness that
/// dies does not leave them running.
enum ParentWatch {
    /// Exits when this process is re-parented (its parent died). With `expectedParent` (the
    /// starter's pid, `--parent-pid`), a parent that died before the watch began is noticed too.
    static func exitWhenOrphaned(expectedParent: Int32? = nil) {
        let parent = expectedParent ?? getppid()
        if getppid() != parent { Foundation.exit(0) }
        Thread.detachNewThread {
            while getppid() == parent { usleep(200_000) }
            Foundation.exit(0)
        }
    }
}
