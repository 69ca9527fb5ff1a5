import ArgumentParser
import CorralContainer
import Foundation

/// `--userns`: an explicit host range, or root's subordinate range from /etc/subuid and /etc/subgid.
enum UserNamespaceOption {
    /// The mapping `text` names ("auto" or HOSTUID[:HOSTGID[:SIZE]]).
    static func parse(_ text: String, subuid: String = "/etc/subuid", subgid: String = "/etc/subgid") throws
        -> UserNamespaceMapping
    {
        if text == "auto" {
            let uids = try range(in: subuid)
            let gids = try range(in: subgid)
            return UserNamespaceMapping(hostUID: uids.start, hostGID: gids.start, size: min(uids.size, gids.size))
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { UInt32($0) }
        guard (1...3).contains(parts.count), parts.allSatisfy({ $0 != nil }), let uid = parts[0] else {
            throw ValidationError("--userns \(text): give HOSTUID[:HOSTGID[:SIZE]] (numbers) or auto")
        }
        return UserNamespaceMapping(
            hostUID: uid, hostGID: parts.count > 1 ? parts[1] ?? uid : uid, size: parts.count > 2 ? parts[2] ?? 65536 : 65536)
    }

    /// Root's first range ("root:START:SIZE" or "0:START:SIZE") in a subordinate ID file.
    static func range(in path: String) throws -> (start: UInt32, size: UInt32) {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":")
            if fields.count == 3, fields[0] == "root" || fields[0] == "0", let start = UInt32(fields[1]), let size = UInt32(fields[2]) {
                return (start, size)
            }
        }
        throw ValidationError(
            "--userns auto: \(path) has no range for root; add a line such as root:100000:65536 (or give --userns HOSTUID)")
    }
}
