import CorralRaft
import CorralReplication
import CorralStore
import Foundation

/// A master's data directory: the Raft log (`raft/`), the replicated state (`state/`), and
/// the identity that ties them to one cluster and one node.
public struct MasterDataDirectory: Sendable {
    public let storage: LMDBRaftLogStorage
    public let stateEnvironment: StoreEnvironment

    /// Opens (or creates) the directory; refuses one that belongs to another cluster or node.
    public static func open(config: MasterConfig) throws(MasterError) -> MasterDataDirectory {
        let root = config.dataDirectory
        let options = StoreOptions(mapSizeBytes: min(64 << 20, config.maxStoreBytes), maxMapSizeBytes: config.maxStoreBytes)
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let storage = try LMDBRaftLogStorage(directory: root + "/raft", options: options)
            try checkIdentity(storage.environment, config: config)
            if !config.join, try storage.load() == RaftPersistentState() {
                let bootstrap = RaftPersistentState.bootstrap(voters: Set(config.peers.map(\.id)))
                try storage.write(RaftWriteBatch(hardState: bootstrap.hardState, snapshot: bootstrap.snapshot))
            }
            let state = try StoreEnvironment(path: root + "/state", options: options)
            return MasterDataDirectory(storage: storage, stateEnvironment: state)
        } catch let error as MasterError {
            throw error
        } catch {
            throw MasterError(code: .startup, message: "cannot open the data directory \(root)", underlying: error)
        }
    }

    private static func checkIdentity(_ environment: StoreEnvironment, config: MasterConfig) throws {
        let database = try environment.openDatabase("identity")
        let expected = Array("\(config.clusterID)\n\(config.nodeID)".utf8)
        let stored = try environment.read { txn in try txn.get(Array("identity".utf8), in: database) }
        guard let stored else {
            try environment.write { txn in try txn.put(expected, for: Array("identity".utf8), in: database) }
            return
        }
        guard stored == expected else {
            let parts = String(decoding: stored, as: UTF8.self).split(separator: "\n")
            let cluster = parts.first.map(String.init) ?? "?"
            let node = parts.count > 1 ? String(parts[1]) : "?"
            throw MasterError(
                code: .identityMismatch,
                message: "the data directory \(config.dataDirectory) belongs to cluster '\(cluster)' node \(node), "
                    + "but this master is cluster '\(config.clusterID)' node \(config.nodeID). "
                    + "Start it with that node's config, or point data_dir at an empty directory.")
        }
    }
}
