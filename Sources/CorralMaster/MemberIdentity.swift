import Foundation

/// Who a data directory belongs to, kept in `<data_dir>/member.json`, outside the Raft
/// directory: a member whose Raft log is wiped or lost still knows it was a member, and
/// refuses to start as if new (it could vote twice in a term or forget committed entries).
struct MemberIdentity: Codable, Sendable, Hashable {
    /// How the member first started.
    enum Origin: String, Codable, Sendable {
        /// A founding member of a new cluster (`corral master --bootstrap`).
        case bootstrap
        /// Added to a running quorum (`--join`, then `corral quorum add-learner`).
        case join
    }

    var clusterID: String
    var nodeID: UInt64
    var origin: Origin

    enum CodingKeys: String, CodingKey {
        case clusterID = "cluster_id"
        case nodeID = "node_id"
        case origin
    }

    static let fileName = "member.json"

    /// Reads the identity in `directory`; nil when there is none.
    static func read(in directory: String) throws(MasterError) -> MemberIdentity? {
        let path = directory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return try JSONDecoder().decode(MemberIdentity.self, from: data)
        } catch {
            throw MasterError(
                code: .damagedData,
                message: "\(path) is unreadable or damaged; it says which cluster and node this data directory "
                    + "belongs to. Restore it from a backup, or replace this member (see `corral quorum --help`)",
                underlying: error)
        }
    }

    /// Writes the identity into `directory` durably: a temporary file, synced, renamed over
    /// the old one, then the directory synced, so a crash leaves the old file or the new one.
    func write(in directory: String) throws(MasterError) {
        let path = directory + "/" + Self.fileName
        let temporary = path + ".tmp"
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            var data = try encoder.encode(self)
            data.append(UInt8(ascii: "\n"))
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw MasterError(code: .startup, message: "cannot create \(temporary)")
            }
            try Self.sync(path: temporary)
            guard rename(temporary, path) == 0 else {
                throw MasterError(code: .startup, message: "rename(\(temporary), \(path)) failed: errno \(errno)")
            }
            try Self.sync(path: directory)
        } catch let error as MasterError {
            throw error
        } catch {
            throw MasterError(code: .startup, message: "cannot write \(path)", underlying: error)
        }
    }

    private static func sync(path: String) throws(MasterError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw MasterError(code: .startup, message: "open(\(path)) failed: errno \(errno)") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw MasterError(code: .startup, message: "fsync(\(path)) failed: errno \(errno)") }
    }
}
