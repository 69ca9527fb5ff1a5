import Foundation

/// Live processes found through /proc, for checking that a harness left nothing behind.
enum ProcessTable {
    /// The live (not zombie) processes one of whose arguments contains `text`.
    static func pids(withArgumentContaining text: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].split(separator: " ").first != "Z"
            else { return false }
            return raw.split(separator: 0).contains { String(decoding: $0, as: UTF8.self).contains(text) }
        }.sorted()
    }
}
