/// At most `permits` container launches at a time; the others wait their turn, in order.
///
/// A launch is mostly kernel work under global locks (cgroup creation and attachment, mount
/// namespaces, the overlay mount) and a fork of the supervisor: started all at once, a burst
/// of launches makes each slower than running them a few at a time (on two cores, 64 launches
/// at once gave 123 tasks/s where 32 gave 152, in `corral bench tasks`).
actor LaunchGate {
    private var available: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        available = max(1, permits)
    }

    func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            available += 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Runs `body` holding a permit.
    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        await acquire()
        let result = await body()
        release()
        return result
    }
}
