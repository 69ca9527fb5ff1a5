import CorralContainer
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Watches processes that are not our children (detached container supervisors) through
/// pidfds, on one thread, and calls `onExit` with the id they were watched under.
final class ExitWatcher: Sendable {
    private struct State {
        /// pidfd → the id it was watched under.
        var watched: [Int32: String] = [:]
        var stopped = false
    }

    private let state = Mutex(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let onExit: @Sendable (String) -> Void

    /// Starts the watching thread.
    init(onExit: @escaping @Sendable (String) -> Void) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw ContainerError(.supervise, stage: "pipe(exit watcher)", cause: String(cString: strerror(errno)))
        }
        for fd in fds {
            // Close-on-exec, so no spawned supervisor inherits it; non-blocking, so draining stops.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.onExit = onExit
        let thread = Thread { [self] in loop() }
        thread.name = "corral-exit-watcher"
        thread.start()
    }

    /// Watches `process` under `id`; false if it has already exited (then nothing is called).
    func watch(_ id: String, process: ProcessIdentity) -> Bool {
        guard let pidfd = process.openPidfd() else { return false }
        let added = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.watched[pidfd] = id
            wake()
            return true
        }
        if !added { close(pidfd) }
        return true
    }

    /// Ends the thread; an exit it is reporting right now still completes.
    func stop() {
        state.withLock { state in
            if !state.stopped { wake() }
            state.stopped = true
        }
    }

    /// Called under the lock while not stopped: the thread closes the pipe only after
    /// it saw `stopped`, under the same lock.
    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// poll(2) over the wake pipe and every pidfd until stopped.
    private func loop() {
        while true {
            let (watched, stopped) = state.withLock { ($0.watched, $0.stopped) }
            if stopped { break }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            fds += watched.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[0].revents != 0 { drainWake() }
            for entry in fds.dropFirst() where entry.revents != 0 {
                let id = state.withLock { state -> String? in
                    state.stopped ? nil : state.watched.removeValue(forKey: entry.fd)
                }
                guard let id else { continue }
                close(entry.fd)
                onExit(id)
            }
        }
        state.withLock { state in
            state.stopped = true
            state.watched.keys.forEach { close($0) }
            state.watched = [:]
            close(wakeRead)
            close(wakeWrite)
        }
    }

    private func drainWake() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }
}

/// Runs blocking work (syscalls that wait, each for a bounded time) off Swift's cooperative
/// pool, on a concurrent dispatch queue: it targets an overcommitting root queue, which adds
/// a thread when every one it has is blocked, and keeps idle threads for the next job instead
/// of starting and ending a thread per job.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "corral.agent.blocking-work", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
