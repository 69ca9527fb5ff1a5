import CorralModel
import Foundation

/// Follows a sandbox's `stdout` and `stderr` from their first byte as they grow, like
/// `tail -f` of both, and hands them out as Mesos `agent.ProcessIO` records: each one chunk of
/// one file, `{"type": "DATA", "data": {"type": "STDOUT", "data": "<base64>"}}`, RecordIO-framed.
///
/// `next()` returns nil once `exited` said the container is gone and a look at both files after
/// that found nothing more: output written before the exit is always delivered. A file that is
/// replaced (the log sink rotates `stdout` to `stdout.1`) is followed from the new file's start.
/// Records are pulled: nothing is read ahead of the consumer, and nothing runs once it stops.
actor ContainerOutputTail {
    /// One of the two output files.
    enum Stream: String, CaseIterable, Sendable {
        case stdout = "STDOUT", stderr = "STDERR"

        /// The file's name in the sandbox.
        var fileName: String { rawValue.lowercased() }
    }

    /// The most bytes of one file in one record.
    static let chunkBytes = 64 * 1024

    private let directory: String
    private let pollInterval: Duration
    private let exited: @Sendable () async -> Bool
    /// How far each file was read, and which file (by inode) that offset is in.
    private var positions: [Stream: (inode: UInt64, offset: UInt64)] = [:]
    private var ready: [[UInt8]] = []
    private var finished = false

    /// Follows `directory/stdout` and `directory/stderr`, looking for new bytes every
    /// `pollInterval`; `exited` says whether the container has exited.
    init(directory: String, pollInterval: Duration, exited: @escaping @Sendable () async -> Bool) {
        self.directory = directory
        self.pollInterval = pollInterval
        self.exited = exited
    }

    /// The next record, waiting for output; nil when the container has exited and both files
    /// are drained, or when the caller's task is cancelled.
    func next() async -> [UInt8]? {
        while true {
            if !ready.isEmpty { return ready.removeFirst() }
            if finished || Task.isCancelled { return nil }
            // Asked before reading: whatever the container wrote before it exited is read below.
            let gone = await exited()
            for stream in Stream.allCases {
                if let chunk = read(stream) { ready.append(Self.record(stream, chunk)) }
            }
            guard ready.isEmpty else { continue }
            if gone {
                finished = true
                return nil
            }
            do { try await Task.sleep(for: pollInterval) } catch { return nil }
        }
    }

    /// The bytes of `stream`'s file past what was read, at most `chunkBytes`; nil when there
    /// are none (or the file is not there yet).
    private func read(_ stream: Stream) -> Data? {
        let path = directory + "/" + stream.fileName
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var status = stat()
        guard fstat(handle.fileDescriptor, &status) == 0 else { return nil }
        let inode = UInt64(status.st_ino)
        var offset = positions[stream].map { $0.inode == inode ? $0.offset : 0 } ?? 0
        // Truncated in place: start over.
        if UInt64(status.st_size) < offset { offset = 0 }
        guard UInt64(status.st_size) > offset else {
            positions[stream] = (inode, offset)
            return nil
        }
        do {
            try handle.seek(toOffset: offset)
            guard let data = try handle.read(upToCount: Self.chunkBytes), !data.isEmpty else { return nil }
            positions[stream] = (inode, offset + UInt64(data.count))
            return data
        } catch {
            return nil
        }
    }

    /// One `ProcessIO` DATA record, framed.
    static func record(_ stream: Stream, _ bytes: Data) -> [UInt8] {
        let data: JSONValue = ["type": .string(stream.rawValue), "data": .string(bytes.base64EncodedString())]
        let io: JSONValue = ["type": "DATA", "data": data]
        return RecordIO.encode(io.encoded)
    }
}
