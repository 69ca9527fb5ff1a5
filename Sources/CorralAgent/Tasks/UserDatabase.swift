import CorralContainer

/// Resolves a task's user against the `/etc/passwd` and `/etc/group` of its root filesystem.
struct UserDatabase: Sendable, Equatable {
    /// The text of `/etc/passwd` (empty when the file is missing).
    var passwd: String
    /// The text of `/etc/group` (empty when the file is missing).
    var group: String

    /// The uid, primary gid and supplementary groups of `user` (a name, or a numeric uid that
    /// then needs no entry); nil when the name has no passwd entry.
    func lookup(_ user: String) -> UserSpec? {
        let entries = Self.entries(passwd)
        let entry =
            entries.first { $0.first == user }
            ?? (UInt32(user) == nil ? nil : entries.first { $0.count > 2 && $0[2] == user })
        guard let entry, entry.count > 3, let uid = UInt32(entry[2]), let gid = UInt32(entry[3]) else {
            guard let uid = UInt32(user) else { return nil }
            return UserSpec(uid: uid, gid: uid)
        }
        let name = entry[0]
        let supplementary = Self.entries(group).compactMap { fields -> UInt32? in
            guard fields.count > 3, let id = UInt32(fields[2]), id != gid else { return nil }
            return fields[3].split(separator: ",").contains(Substring(name)) ? id : nil
        }
        return UserSpec(uid: uid, gid: gid, additionalGroups: supplementary)
    }

    /// The colon-separated fields of each non-comment line.
    private static func entries(_ text: String) -> [[String]] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
    }
}
