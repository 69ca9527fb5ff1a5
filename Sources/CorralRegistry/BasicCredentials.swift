import CCrypt
import CorralContainer
import Foundation
import Synchronization

/// Who may use the registry, checked with HTTP basic authentication: users from an htpasswd
/// file (bcrypt `$2y$`/`$2b$`, as `htpasswd -B` writes, or crypt's `$5$`/`$6$`) or one
/// `NAME:PASSWORD` given on the command line.
public final class BasicCredentials: Sendable {
    /// A user's stored secret.
    private enum Secret: Sendable {
        case plain(String)
        case crypt(String)
    }

    private let users: [String: Secret]
    /// The realm named in `WWW-Authenticate`.
    let realm: String
    /// SHA-256s of `user:password` pairs already checked against a slow hash, so a client that
    /// sends its password with every request pays for bcrypt once.
    private let verified = Mutex<Set<String>>([])

    private init(users: [String: Secret], realm: String) {
        self.users = users
        self.realm = realm
    }

    /// One user from `NAME:PASSWORD`.
    public static func user(_ pair: String, realm: String = "corral-registry") throws(RegistryError) -> BasicCredentials {
        guard let colon = pair.firstIndex(of: ":"), colon != pair.startIndex else {
            throw RegistryError(.unauthorized, "--user wants NAME:PASSWORD, got '\(pair)'")
        }
        return BasicCredentials(
            users: [String(pair[..<colon]): .plain(String(pair[pair.index(after: colon)...]))], realm: realm)
    }

    /// The users of the htpasswd file at `path`.
    public static func htpasswd(_ path: String, realm: String = "corral-registry") throws -> BasicCredentials {
        let text = String(decoding: try Syscall.readFile(path, limit: 1 << 20), as: UTF8.self)
        var users: [String: Secret] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() {
            let entry = line.trimmingCharacters(in: .whitespaces)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            guard let colon = entry.firstIndex(of: ":") else {
                throw RegistryError(.unauthorized, "\(path) line \(number + 1) is not NAME:HASH")
            }
            let hash = String(entry[entry.index(after: colon)...])
            guard ["$2y$", "$2b$", "$2a$", "$5$", "$6$"].contains(where: { hash.hasPrefix($0) }) else {
                throw RegistryError(
                    .unauthorized,
                    "\(path) line \(number + 1): the hash of '\(entry[..<colon])' is not bcrypt, sha256-crypt or sha512-crypt; "
                        + "make it with htpasswd -B")
            }
            users[String(entry[..<colon])] = .crypt(hash)
        }
        guard !users.isEmpty else { throw RegistryError(.unauthorized, "\(path) names no users") }
        return BasicCredentials(users: users, realm: realm)
    }

    /// Throws `UNAUTHORIZED` (401 with `WWW-Authenticate: Basic`) unless `header` is a basic
    /// `Authorization` value naming a user with the right password.
    func check(_ header: String?) throws(RegistryError) {
        guard let header, header.lowercased().hasPrefix("basic "),
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let pair = String(data: decoded, encoding: .utf8), let colon = pair.firstIndex(of: ":"),
            let secret = users[String(pair[..<colon])]
        else { throw challenge() }
        let password = String(pair[pair.index(after: colon)...])
        switch secret {
        case .plain(let expected):
            guard Self.constantTimeEqual(Array(expected.utf8), Array(password.utf8)) else { throw challenge() }
        case .crypt(let hash):
            let key = SHA256Hasher.hex(of: Array(pair.utf8))
            if verified.withLock({ $0.contains(key) }) { return }
            guard let computed = Self.crypt(password, setting: hash),
                Self.constantTimeEqual(Array(computed.utf8), Array(hash.utf8))
            else { throw challenge() }
            verified.withLock { _ = $0.insert(key) }
        }
    }

    private func challenge() -> RegistryError {
        RegistryError(
            .unauthorized, "authentication required: send a user name and password (HTTP basic)",
            headers: ["WWW-Authenticate": "Basic realm=\"\(realm)\""])
    }

    /// `crypt_r(password, setting)`, or nil when libcrypt refuses.
    private static func crypt(_ password: String, setting: String) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_r(password, setting, data) else { return nil }
        let text = String(cString: result)
        return text.hasPrefix("*") ? nil : text
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
