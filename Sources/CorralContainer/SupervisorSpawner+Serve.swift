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
    /// this loop, on one thread, and the runtime's other threads are idle (they hold no lock
    /// the copy could need); the copy leaves with `_exit`, running nothing inherited.
    public static func serve(socket: Int32, store: ContainerStore) -> Int32 {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var readyFD: Int32 = -1
            let count = buffer.withUnsafeMutableBytes { corral_receive_with_fd(socket, $0.baseAddress, $0.count, &readyFD) }
            if count < 0 { return 1 }
            if count == 0 { return 0 }
            guard readyFD >= 0 else { continue }
            let id = String(decoding: buffer[0..<count], as: UTF8.self)
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
