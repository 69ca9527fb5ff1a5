import Glibc

/// Turns a Dockerfile user (`USER`, `--chown`) into numeric ids with the image's own
/// `/etc/passwd` and `/etc/group`, as Docker does: `name`, `uid`, `name:group`, `uid:gid`.
enum UserDatabase {
    /// The ids `user` names; a numeric user missing from `passwd` gets group 0.
    static func resolve(_ user: String, passwd: String?, group: String?) throws -> UserSpec {
        let parts = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(
            String.init
        )
        let users = table(passwd)
        let entry = users.first { $0[0] == parts[0] || (UInt32(parts[0]) != nil && $0[2] == parts[0]) }
        guard let uid = UInt32(parts[0]) ?? entry.flatMap({ UInt32($0[2]) }) else {
            throw ContainerError(
                .invalidArgument,
                "user '\(parts[0])' is not in the image's /etc/passwd; use a numeric uid"
            )
        }
        var gid = entry.flatMap { UInt32($0[3]) } ?? 0
        if parts.count == 2 {
            let groups = table(group)
            guard
                let named = UInt32(parts[1])
                    ?? groups.first(where: { $0[0] == parts[1] }).flatMap({ UInt32($0[2]) })
            else {
                throw ContainerError(
                    .invalidArgument,
                    "group '\(parts[1])' is not in the image's /etc/group; use a numeric gid"
                )
            }
            gid = named
        }
        return UserSpec(uid: uid, gid: gid)
    }

    /// The colon-separated rows of a passwd or group file with at least four fields.
    private static func table(_ text: String?) -> [[String]] {
        (text ?? "").split(whereSeparator: \.isNewline).map {
            $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        }
        .filter { $0.count >= 4 && !$0[0].hasPrefix("#") }
    }

    /// The text of `relative` (e.g. `etc/passwd`) in an image's layer directories, topmost first:
    /// the first layer that has it wins; a whiteout (a 0/0 character device) means it was deleted.
    static func read(_ relative: String, layers: [String]) -> String? {
        for layer in layers {
            guard let info = try? Syscall.lstatIfExists(layer + "/" + relative) else { continue }
            guard Syscall.type(info.st_mode) == S_IFREG else { return nil }
            return (try? Syscall.readFile(layer + "/" + relative)).map { String(decoding: $0, as: UTF8.self) }
        }
        return nil
    }
}
