import CorralContainer
import Foundation

/// A fresh directory under the system temporary directory, removed by `remove()`.
public struct ScratchDirectory: Sendable {
    public let path: String

    public init(prefix: String = "corral-test") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        guard let made else { throw ScratchDirectoryError(errno: errno) }
        path = made
    }

    /// Detaches whatever is still mounted under it (an agent's runtime tmpfs, say), then removes it.
    public func remove() {
        MountTable.detachAll(under: path)
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// mkdtemp failed.
public struct ScratchDirectoryError: Error, CustomStringConvertible {
    public let errno: Int32
    public var description: String { "cannot make a temporary directory: mkdtemp failed with errno \(errno)" }
}
