@testable import CorralMaster
import CorralRaft
import CorralReplication
import Foundation
import Testing

/// A data directory starts only when asked to (`--bootstrap` or `--join`), and a member that
/// lost its Raft log or state store refuses to start instead of rejoining as if new.
@Suite struct DataDirectoryTests {
    /// A config for node 1 of a three-master cluster, in a fresh temporary directory.
    static func config(bootstrap: Bool = false, join: Bool = false, node: UInt64 = 1) throws -> MasterConfig {
        var template = Array("/tmp/corral-datadir-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw MasterError(code: .startup, message: "mkdtemp failed") }
        var config = MasterConfig(clusterID: "c1", nodeID: node, dataDirectory: String(cString: made) + "/data", join: join)
        config.peers = (1...3).map {
            MasterConfig.Peer(
                id: $0, raft: PeerAddress(host: "127.0.0.1", port: 7100 + Int($0)),
                http: PeerAddress(host: "127.0.0.1", port: 5050 + Int($0)))
        }
        config.bootstrap = bootstrap
        return config
    }

    static func cleanUp(_ config: MasterConfig) {
        try? FileManager.default.removeItem(atPath: (config.dataDirectory as NSString).deletingLastPathComponent)
    }

    /// The error `body` throws, if any.
    static func failure(_ body: () throws -> Void) -> MasterError? {
        do {
            try body()
            return nil
        } catch {
            return error as? MasterError ?? MasterError(code: .startup, message: "unexpected: \(error)")
        }
    }

    static func code(_ body: () throws -> Void) -> MasterError.Code? {
        failure(body)?.code
    }

    @Test func anEmptyDirectoryNeedsBootstrapOrJoin() throws {
        let config = try Self.config()
        defer { Self.cleanUp(config) }
        #expect(Self.code { _ = try MasterDataDirectory.open(config: config) } == .notInitialized)
        #expect(!FileManager.default.fileExists(atPath: config.dataDirectory + "/raft"), "a refused start creates no log")
    }

    @Test func bootstrapFoundsTheClusterOnceAndLaterStartsNeedNoFlag() throws {
        var config = try Self.config(bootstrap: true)
        defer { Self.cleanUp(config) }
        do {  // each environment is closed before the directory is opened again (an LMDB rule)
            let first = try MasterDataDirectory.open(config: config)
            let state = try first.storage.load()
            #expect(state.snapshot?.metadata.membership.voters == [1, 2, 3])
            #expect(!first.bootstrapIgnored)
        }
        #expect(FileManager.default.fileExists(atPath: config.dataDirectory + "/member.json"))
        config.bootstrap = false
        #expect(Self.code { _ = try MasterDataDirectory.open(config: config) } == nil)
        config.bootstrap = true
        #expect(try MasterDataDirectory.open(config: config).bootstrapIgnored)
    }

    @Test(arguments: [false, true])
    func aWipedRaftLogRefusesToStartEvenWithBootstrap(joined: Bool) throws {
        var config = try Self.config(bootstrap: !joined, join: joined)
        defer { Self.cleanUp(config) }
        _ = try MasterDataDirectory.open(config: config)
        try FileManager.default.removeItem(atPath: config.dataDirectory + "/raft")
        config.bootstrap = false
        #expect(Self.code { _ = try MasterDataDirectory.open(config: config) } == .damagedData)
        if !joined {
            config.bootstrap = true
            #expect(Self.code { _ = try MasterDataDirectory.open(config: config) } == .damagedData)
        }
    }

    @Test func anEmptiedRaftLogOfAFoundingMemberIsRefused() throws {
        var config = try Self.config(bootstrap: true)
        defer { Self.cleanUp(config) }
        _ = try MasterDataDirectory.open(config: config)
        // A new, empty environment where the log was: the identity record is gone with it.
        let raft = config.dataDirectory + "/raft"
        try FileManager.default.removeItem(atPath: raft)
        do { _ = try LMDBRaftLogStorage(directory: raft) }
        config.bootstrap = false
        let error = Self.failure { _ = try MasterDataDirectory.open(config: config) }
        #expect(error?.code == .damagedData)
        #expect(error?.message.contains("corral quorum remove 1") == true, "\(String(describing: error))")
    }

    @Test func aLostStateStoreBehindACompactedLogIsRefused() throws {
        let config = try Self.config(bootstrap: true)
        defer { Self.cleanUp(config) }
        do {
            let opened = try MasterDataDirectory.open(config: config)
            let metadata = SnapshotMetadata(index: 40, term: 2, membership: Membership(voters: [1, 2, 3]))
            try opened.storage.write(RaftWriteBatch(snapshot: Snapshot(metadata: metadata, data: [])))
        }
        try FileManager.default.removeItem(atPath: config.dataDirectory + "/state")
        #expect(Self.code { _ = try MasterDataDirectory.open(config: config) } == .damagedData)
    }

    @Test func aLostStateStoreIsRebuiltWhileTheLogIsWhole() throws {
        let config = try Self.config(bootstrap: true)
        defer { Self.cleanUp(config) }
        _ = try MasterDataDirectory.open(config: config)
        try FileManager.default.removeItem(atPath: config.dataDirectory + "/state")
        #expect(Self.code { _ = try MasterDataDirectory.open(config: config) } == nil)
    }

    @Test func aDirectoryWithoutMemberFileIsAdoptedFromItsLog() throws {
        let config = try Self.config(bootstrap: true)
        defer { Self.cleanUp(config) }
        _ = try MasterDataDirectory.open(config: config)
        // An older version kept the identity in the log only.
        try FileManager.default.removeItem(atPath: config.dataDirectory + "/member.json")
        var plain = config
        plain.bootstrap = false
        #expect(Self.code { _ = try MasterDataDirectory.open(config: plain) } == nil)
        #expect(FileManager.default.fileExists(atPath: config.dataDirectory + "/member.json"))
    }

    @Test func anotherNodesDirectoryIsRefused() throws {
        let config = try Self.config(bootstrap: true)
        defer { Self.cleanUp(config) }
        _ = try MasterDataDirectory.open(config: config)
        var other = config
        other.nodeID = 2
        #expect(Self.code { _ = try MasterDataDirectory.open(config: other) } == .identityMismatch)
    }

    @Test func bootstrapAndJoinTogetherAreABadConfig() throws {
        let config = try Self.config(bootstrap: true, join: true)
        defer { Self.cleanUp(config) }
        #expect(Self.code { try config.validate() } == .badConfig)
    }
}
