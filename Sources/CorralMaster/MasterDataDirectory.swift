import CorralRaft
import CorralReplication
import CorralStore
import Foundation

/// A master's data directory: the Raft log (`raft/`), the replicated state (`state/`), and
/// `member.json`, the identity that ties them to one cluster and one node.
///
/// The rules that keep a damaged member out of the quorum:
/// - An empty directory starts only with an explicit `--bootstrap` (a founding member of a
///   new cluster) or `--join` (a member added to a running quorum).
/// - Once `member.json` exists, the Raft log must be there and carry the same identity. A
///   member whose log is wiped or lost refuses to start: rejoining as if new it could vote a
///   second time in a term it already voted in, or forget entries it helped commit.
/// - The state store may be rebuilt from the log only while the log still starts at index 1;
///   once the log is compacted behind a snapshot, a missing state store is fatal too.
public struct MasterDataDirectory: Sendable {
    public let storage: LMDBRaftLogStorage
    public let stateEnvironment: StoreEnvironment
    /// Set when `--bootstrap` was given for a directory that was already initialized.
    public let bootstrapIgnored: Bool

    /// Opens (or, with `--bootstrap` or `--join`, creates) the directory; refuses one that
    /// belongs to another cluster or node, or whose log or state is missing.
    public static func open(config: MasterConfig) throws(MasterError) -> MasterDataDirectory {
        let root = config.dataDirectory
        let options = StoreOptions(mapSizeBytes: min(64 << 20, config.maxStoreBytes), maxMapSizeBytes: config.maxStoreBytes)
        let expected = MemberIdentity(clusterID: config.clusterID, nodeID: config.nodeID, origin: config.join ? .join : .bootstrap)
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let member = try MemberIdentity.read(in: root)
            let raftExists = FileManager.default.fileExists(atPath: root + "/raft/data.mdb")
            if let member {
                try checkOwner((member.clusterID, "\(member.nodeID)"), config: config)
                guard raftExists else {
                    throw lost(config, "its Raft log (\(root)/raft) is missing, although \(root)/\(MemberIdentity.fileName) says it is a member")
                }
            } else if !raftExists, !config.bootstrap, !config.join {
                throw MasterError(
                    code: .notInitialized,
                    message: "the data directory \(root) is empty. Start a founding member of a new cluster once with "
                        + "--bootstrap (every master listed in [[peers]], each on its own empty directory), or a member "
                        + "of a running quorum with --join and then `corral quorum add-learner`")
            }
            let storage = try LMDBRaftLogStorage(directory: root + "/raft", options: options)
            let stored = try storage.load()
            let raftIdentity = try RaftIdentity(storage.environment)
            if let member {
                guard let recorded = try raftIdentity.read() else {
                    throw lost(config, "its Raft log (\(root)/raft) is empty or was replaced")
                }
                try checkOwner(recorded, config: config)
                if member.origin == .bootstrap && stored == RaftPersistentState() {
                    throw lost(config, "its Raft log (\(root)/raft) holds nothing, although it founded the cluster")
                }
            } else {
                try initialize(storage, stored: stored, raftIdentity, member: expected, config: config)
            }
            let statePath = root + "/state"
            let snapshotIndex = stored.snapshot?.metadata.index ?? 0
            if !FileManager.default.fileExists(atPath: statePath + "/data.mdb"), snapshotIndex > 0 {
                throw lost(config, "its state store (\(statePath)) is missing and its log starts after a snapshot at index \(snapshotIndex), so the state cannot be rebuilt")
            }
            let state = try StoreEnvironment(path: statePath, options: options)
            return MasterDataDirectory(
                storage: storage, stateEnvironment: state, bootstrapIgnored: member != nil && config.bootstrap)
        } catch let error as MasterError {
            throw error
        } catch {
            throw MasterError(code: .startup, message: "cannot open the data directory \(root)", underlying: error)
        }
    }

    /// First start (or a directory written by an older version, which kept its identity in
    /// the Raft log only): record the identity in the log, bootstrap if asked, and write
    /// `member.json` last, so a crash part-way leaves a directory this function finishes.
    private static func initialize(
        _ storage: LMDBRaftLogStorage, stored: RaftPersistentState, _ raftIdentity: RaftIdentity,
        member: MemberIdentity, config: MasterConfig
    ) throws {
        let recorded = try raftIdentity.read()
        if let recorded { try checkOwner(recorded, config: config) }
        let empty = stored == RaftPersistentState()
        if recorded == nil && !empty {
            throw lost(config, "its Raft log (\(config.dataDirectory)/raft) holds entries but no identity and no \(MemberIdentity.fileName)")
        }
        if empty && !config.bootstrap && !config.join {
            throw MasterError(
                code: .notInitialized,
                message: "the data directory \(config.dataDirectory) was never initialized; start this master with --bootstrap or --join")
        }
        if recorded == nil { try raftIdentity.write(clusterID: config.clusterID, nodeID: config.nodeID) }
        var origin = member.origin
        if empty && config.bootstrap {
            let bootstrap = RaftPersistentState.bootstrap(voters: Set(config.peers.map(\.id)))
            try storage.write(RaftWriteBatch(hardState: bootstrap.hardState, snapshot: bootstrap.snapshot))
        } else if !empty {
            origin = config.join ? .join : .bootstrap
        }
        try MemberIdentity(clusterID: member.clusterID, nodeID: member.nodeID, origin: origin).write(in: config.dataDirectory)
    }

    /// Refuses a directory recorded as another cluster's or node's.
    private static func checkOwner(_ recorded: (cluster: String, node: String), config: MasterConfig) throws(MasterError) {
        guard recorded.cluster != config.clusterID || recorded.node != "\(config.nodeID)" else { return }
        throw MasterError(
            code: .identityMismatch,
            message: "the data directory \(config.dataDirectory) belongs to cluster '\(recorded.cluster)' node \(recorded.node), "
                + "but this master is cluster '\(config.clusterID)' node \(config.nodeID). "
                + "Start it with that node's config, or point data_dir at an empty directory.")
    }

    /// The error for a member that lost part of its data, with how to replace it.
    static func lost(_ config: MasterConfig, _ what: String) -> MasterError {
        let node = config.nodeID
        return MasterError(
            code: .damagedData,
            message: "master \(node) will not start: \(what). A member that lost its data must not rejoin as if new "
                + "(it could vote twice in one term or forget entries it helped commit). Replace it with a new member: "
                + "on a running master `corral quorum remove \(node)`; start a master with a node id never used before, "
                + "--join and an empty data directory (this one's addresses can be reused once \(node) is removed); then "
                + "`corral quorum add-learner NEW_ID --raft HOST:PORT --http HOST:PORT` and `corral quorum promote NEW_ID` "
                + "(see `corral quorum --help`)")
    }
}

/// The identity record kept inside the Raft log's environment, so the log itself says
/// whose it is (a log copied into another member's directory is refused).
struct RaftIdentity {
    let environment: StoreEnvironment
    let database: StoreDatabase
    private static let key = Array("identity".utf8)

    init(_ environment: StoreEnvironment) throws {
        self.environment = environment
        database = try environment.openDatabase("identity")
    }

    func read() throws -> (cluster: String, node: String)? {
        guard let stored = try environment.read({ txn in try txn.get(Self.key, in: database) }) else { return nil }
        let parts = String(decoding: stored, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return (parts.first.map(String.init) ?? "?", parts.count > 1 ? String(parts[1]) : "?")
    }

    func write(clusterID: String, nodeID: UInt64) throws {
        try environment.write { txn in try txn.put(Array("\(clusterID)\n\(nodeID)".utf8), for: Self.key, in: database) }
    }
}
