import Foundation

/// `--exit-with-parent`: test harnesses start masters and agents with it, so a harness that
/// dies does not leave them running.
enum ParentWatch {
    /// Exits when this process is re-parented (its parent died).
    static func exitWhenOrphaned() {
        let parent = getppid()
        Thread.detachNewThread {
            while getppid() == parent { usleep(200_000) }
            Foundation.exit(0)
        }
    }
}
