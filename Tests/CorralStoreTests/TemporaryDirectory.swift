import Foundation

/// Why a temporary directory could not be made.
struct TemporaryDirectoryError: Error, CustomStringConvertible {
    var description: String
}

/// A fresh, unique directory made with `mkdtemp`.
func makeTemporaryDirectory() throws -> String {
    var template = Array((NSTemporaryDirectory() + "/corral-store-XXXXXX").utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer -> String? in
        guard let base = buffer.baseAddress, mkdtemp(base) != nil else { return nil }
        return String(cString: base)
    }
    guard let path else { throw TemporaryDirectoryError(description: "mkdtemp failed: errno \(errno)") }
    return path
}

/// Runs `body` with a fresh temporary directory and removes it afterwards, even on throw.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// The async form of `withTemporaryDirectory`.
func withTemporaryDirectoryAsync<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

