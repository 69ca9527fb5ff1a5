#if canImport(Glibc)
    import Glibc
#endif

// MARK: - The supervision loop

extension Container {
    /// How long output may keep arriving after the init was reaped (it normally
    /// ends at once: the kernel kills the whole PID namespace with its init).
    static let drainTimeoutMilliseconds: Int32 = 2000

    /// Copies output into the log files until the init exits and the pipes close;
    /// returns the init's raw wait status.
    func supervise(_ running: Running) throws -> Int32 {
        let out = try LogSink(
            path: spec.logDirectory.map { $0 + "/stdout" } ?? paths.stdout,
            maxBytes: logOptions.maxBytes,
            echoFD: logOptions.echo ? 1 : nil
        )
        let err = try LogSink(
            path: spec.logDirectory.map { $0 + "/stderr" } ?? paths.stderr,
            maxBytes: logOptions.maxBytes,
            echoFD: logOptions.echo ? 2 : nil
        )
        defer {
            out.close()
            err.close()
        }
        try ContainerSyscall.setNonBlocking(running.stdoutRead)
        try ContainerSyscall.setNonBlocking(running.stderrRead)
        var fds = [
            pollfd(fd: running.stdoutRead, events: Int16(POLLIN), revents: 0),
            pollfd(fd: running.stderrRead, events: Int16(POLLIN), revents: 0),
            pollfd(fd: running.pidfd, events: Int16(POLLIN), revents: 0),
        ]
        let sinks = [out, err]
        var status: Int32?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while fds[0].fd >= 0 || fds[1].fd >= 0 || status == nil {
            let timeout = status == nil ? nil : Container.drainTimeoutMilliseconds
            if try ContainerSyscall.poll(&fds, timeoutMilliseconds: timeout) == 0 { break }
            for index in 0..<2 where fds[index].revents != 0 {
                if try drain(fds[index].fd, into: sinks[index], buffer: &buffer) { fds[index].fd = -1 }
            }
            if fds[2].revents != 0 && status == nil {
                status = try ContainerSyscall.waitpid(running.pid)
                fds[2].fd = -1
            }
        }
        if let status { return status }
        return try ContainerSyscall.waitpid(running.pid)
    }

    /// Reads everything available from `fd`; returns true at EOF.
    private func drain(_ fd: Int32, into sink: LogSink, buffer: inout [UInt8]) throws -> Bool {
        while true {
            let count = try buffer.withUnsafeMutableBytes {
                try ContainerSyscall.read(fd, into: $0, stage: "read(output pipe)")
            }
            guard let count else { return false }
            if count == 0 { return true }
            // Output that cannot be kept (a full sandbox disk) is dropped: the container runs
            // on, and its exit is still recorded.
            buffer.withUnsafeBytes { sink.writeOrDrop(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }
}
