import CCorralLauncher
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension SupervisorSpawner {
    /// The helper's loop (`corral container spawner`): for each container ID received on
    /// `socket` with a ready pipe attached, forks a detached copy of this process that runs
    /// `Supervisor.runDetached` for it; returns 0 when the caller closes its end, 1 if the
    /// socket fails.
    ///
    /// The copy is forked without exec. That is sound here because the helper does nothing but
    /// this loop, on one thread, and the runtime's other threads are idle once it has started
    /// (they hold no lock the copy could need): before each fork the helper waits until every
    /// other thread sleeps, and answers `execInstead` if they do not within a second. The copy
    /// leaves with `_exit`, running nothing inherited.
    public static func serve(socket: Int32, store: ContainerStore) -> Int32 {
        warmUp()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var readyFD: Int32 = -1
            let count = buffer.withUnsafeMutableBytes { corral_receive_with_fd(socket, $0.baseAddress, $0.count, &readyFD) }
            if count < 0 { return 1 }
            if count == 0 { return 0 }
            guard readyFD >= 0 else { continue }
            let id = String(decoding: buffer[0..<count], as: UTF8.self)
            guard otherThreadsSleep() else {
                // Not quiet enough to fork: the caller starts this one the exec way.
                _ = "\(execInstead)\n".withCString { write(readyFD, $0, strlen($0)) }
                ContainerSyscall.close(readyFD)
                continue
            }
            switch corral_fork_detached() {
            case 0:
                ContainerSyscall.close(socket)
                let supervised = (try? Supervisor.runDetached(id: id, store: store, readyFD: readyFD)) != nil
                _exit(supervised ? 0 : 1)
            case 1:
                ContainerSyscall.close(readyFD)
            default:
                let message = "\(ContainerError.system(.supervise, "fork(supervisor of \(id))", errno: errno))\n"
                _ = message.withCString { write(readyFD, $0, strlen($0)) }
                ContainerSyscall.close(readyFD)
            }
        }
    }
}

extension SupervisorSpawner {
    /// The helper's answer when it cannot fork safely: start this supervisor the exec way.
    static let execInstead = "exec-instead"

    /// Whether every thread of this process but the caller sleeps, in two looks 1 ms apart,
    /// waiting up to a second for it (the runtime's threads are busy only while it starts).
    /// A helper started as `corral` starts it has no other thread (`ContainerSpawner`): then
    /// one look at the thread list is enough.
    static func otherThreadsSleep() -> Bool {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self"))?
            .split(separator: "/").last.map(String.init)
        if let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task"), threads == [me] {
            return true
        }
        var quietLooks = 0
        for _ in 0..<1000 {
            let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            let busy = threads.contains { tid in
                guard tid != me, let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                    let close = stat.lastIndex(of: ")")
                else { return false }
                let state = stat[stat.index(after: close)...].dropFirst().first
                return state != "S" && state != "D" && state != "T" && state != "t"
            }
            quietLooks = busy ? 0 : quietLooks + 1
            if quietLooks == 2 { return true }
            usleep(1000)
        }
        return false
    }
}
