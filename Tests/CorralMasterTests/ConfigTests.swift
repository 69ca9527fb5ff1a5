import CorralMaster
import Foundation
import Testing

@Suite struct ConfigTests {
    static let configs: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Configs")

    @Test(arguments: ["three-node", "five-node"])
    func theShippedConfigsDescribeOneQuorum(directory: String) throws {
        let count = directory == "three-node" ? 3 : 5
        var seen: [MasterConfig] = []
        for id in 1...count {
            let path = Self.configs.appendingPathComponent("\(directory)/master-\(id).toml").path
            let config = try MasterConfig.load(path: path)
            try config.validate()
            #expect(config.nodeID == UInt64(id))
            #expect(config.peers.count == count)
            #expect(config.peers.first { $0.id == config.nodeID }?.raft == config.raftListen)
            seen.append(config)
        }
        #expect(Set(seen.map(\.peers)).count == 1, "every master lists the same peers")
        #expect(Set(seen.map(\.dataDirectory)).count == count, "every master has its own data directory")
    }
}
