import Foundation
import Glibc

/// A file one thread is still writing (a blob being downloaded) and another reads as it grows
/// (the layer being unpacked while it arrives). The writer says how many bytes are in the file
/// and how the write ended; the reader waits for bytes that are not there yet.
final class GrowingFile: @unchecked Sendable {
    /// How the writer's side stands.
    enum State { case growing, complete, failed }

    private let condition = NSCondition()
    private var length: Int64 = 0
    private var state = State.growing

    /// The file now holds `count` bytes (it shrinks only to 0, when a download starts over).
    func grew(to count: Int64) {
        condition.lock()
        length = count
        condition.broadcast()
        condition.unlock()
    }

    /// The writer is done: every byte is in the file (`complete`) or none will come (`failed`).
    func end(_ ending: State) {
        condition.lock()
        state = ending
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the file holds more than `offset` bytes; returns how many it holds, or nil
    /// when it ended at or before `offset`. Throws when the writer failed.
    func wait(past offset: Int64) throws -> Int64? {
        condition.lock()
        defer { condition.unlock() }
        while length <= offset && state == .growing { condition.wait() }
        if state == .failed { throw ContainerError(.io, "the download stopped before the layer was complete") }
        return length > offset ? length : nil
    }
}

/// Reads a `GrowingFile` from its start, waiting for bytes the writer has not written yet.
final class GrowingFileSource: ByteSource {
    private let growing: GrowingFile
    private var descriptor: Int32 = -1
    private let path: String
    private var offset: Int64 = 0

    /// Reads `path` as it grows; the file is opened once its first bytes are there, so the
    /// writer may create it after this source is made.
    init(path: String, growing: GrowingFile) {
        self.growing = growing
        self.path = path
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0, let length = try growing.wait(past: offset) else { return 0 }
        if descriptor < 0 {
            descriptor = try Syscall.retrying("open", path) { [path] in open(path, O_RDONLY | O_CLOEXEC) }
        }
        let wanted = Int(min(Int64(buffer.count), length - offset))
        let count = try Syscall.retrying("pread", path) { pread(descriptor, buffer.baseAddress, wanted, off_t(offset)) }
        guard count > 0 else {
            throw ContainerError(.io, "\(path) is shorter than its writer said", cause: "the file was cut while read")
        }
        offset += Int64(count)
        return count
    }
}

/// Work run on a thread of its own; `join` waits for it and returns its result or its error.
final class BackgroundWork<Result: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Swift.Result<Result, any Error>?

    /// Starts `body` on a new thread.
    init(_ body: @escaping () throws -> Result) {
        let work = UncheckedBox(body)
        Thread.detachNewThread { [self] in
            outcome = Swift.Result { try work.value() }
            done.signal()
        }
    }

    /// Waits for the work to end; returns what it returned or throws what it threw.
    func join() throws -> Result {
        done.wait()
        done.signal()  // a second join returns at once
        return try outcome!.get()
    }
}

/// Carries a value that is not `Sendable` to the one thread that will use it.
private final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
