import CorralMaster
import CorralSecurity
import Foundation
import Testing

@Suite struct ConfigTests {
    static let configs: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Configs")

    @Test(arguments: ["three-node", "five-node", "three-node-tls"])
    func theShippedConfigsDescribeOneQuorum(directory: String) throws {
        let count = directory.hasPrefix("three-node") ? 3 : 5
        var seen: [MasterConfig] = []
        for id in 1...count {
            let path = Self.configs.appendingPathComponent("\(directory)/master-\(id).toml").path
            let config = try MasterConfig.load(path: path)
            try config.validate()
            #expect(config.nodeID == UInt64(id))
            #expect(config.peers.count == count)
            #expect(config.peers.first { $0.id == config.nodeID }?.raft == config.raftListen)
            if directory.hasSuffix("-tls") {
                #expect(config.tls == TLSFiles.issued(directory: ".corral/three-node-tls/certs", name: "master-\(id)"))
            } else {
                #expect(config.tls == nil)
            }
            seen.append(config)
        }
        #expect(Set(seen.map(\.peers)).count == 1, "every master lists the same peers")
        #expect(Set(seen.map(\.dataDirectory)).count == count, "every master has its own data directory")
    }

    static let base = """
        cluster_id = "c"
        node_id = 1
        data_dir = "/tmp/unused"
        [[peers]]
        id = 1
        raft = "127.0.0.1:7101"
        http = "127.0.0.1:5051"

        """

    @Test func aTLSSectionNeedsCertificateKeyAndCA() throws {
        let full = try MasterConfig.parse(Self.base + "[tls]\ncertificate = \"m.pem\"\nkey = \"m-key.pem\"\nca = \"ca.pem\"\n")
        try full.validate()
        #expect(full.tls?.certificate == "m.pem" && full.tls?.key == "m-key.pem" && full.tls?.ca == "ca.pem")
        #expect(try MasterConfig.parse(Self.base).tls == nil)
        let partial = try MasterConfig.parse(Self.base + "[tls]\ncertificate = \"m.pem\"\nkey = \"m-key.pem\"\n")
        let error = #expect(throws: MasterError.self) { try partial.validate() }
        #expect(error?.message.contains("[tls] needs certificate, key and ca") == true, "\(String(describing: error))")
    }

    @Test func schedulingSettingsAcceptWholeAndFractionalSeconds() throws {
        let config = try MasterConfig.parse(
            Self.base + """
                [scheduling]
                policy = "priority"
                priorities = { prod = 10 }
                heartbeat_interval_seconds = 2
                agent_heartbeat_seconds = 0.5
                offer_timeout_seconds = 30
                """)
        try config.validate()
        #expect(config.scheduling.policy == "priority")
        #expect(config.scheduling.priorities == ["prod": 10])
        #expect(config.scheduling.heartbeatIntervalSeconds == 2)
        #expect(config.scheduling.agentHeartbeatSeconds == 0.5)
        #expect(config.scheduling.offerTimeoutSeconds == 30)
    }

    @Test(arguments: [
        ("policy = \"fifo\"", "scheduling.policy"),
        ("agent_timeout_seconds = 1", "agent_timeout_seconds must exceed"),
        ("heartbeat_interval_seconds = -1", "heartbeat_interval_seconds must be a positive"),
        ("allocation_interval_ms = 1", "allocation_interval_ms"),
    ])
    func badSchedulingSettingsSayWhatIsWrong(line: String, message: String) throws {
        let config = try MasterConfig.parse(Self.base + "[scheduling]\n" + line + "\n")
        #expect {
            try config.validate()
        } throws: { error in
            (error as? MasterError)?.message.contains(message) == true
        }
    }

    @Test func theOutcomeWaitDefaultsToFiveLongestElectionTimeoutsAndMustBeAtLeastATick() throws {
        let defaults = try MasterConfig.parse(Self.base + "[timing]\ntick_ms = 10\nelection_ticks = 30\n")
        #expect(defaults.effectiveOutcomeWaitMilliseconds == 3_000)
        let set = try MasterConfig.parse(Self.base + "[timing]\noutcome_wait_ms = 1500\n")
        try set.validate()
        #expect(set.effectiveOutcomeWaitMilliseconds == 1_500)
        let bad = try MasterConfig.parse(Self.base + "[timing]\ntick_ms = 10\noutcome_wait_ms = 5\n")
        #expect {
            try bad.validate()
        } throws: { error in
            (error as? MasterError)?.message.contains("timing.outcome_wait_ms (5) must be at least one tick") == true
        }
    }
}

/// Config errors a person can act on: no Foundation dumps, the key and what to do.
@Suite struct ConfigErrorTextTests {
    func message(_ body: () throws(MasterError) -> MasterConfig) -> String {
        do {
            _ = try body()
            return ""
        } catch {
            return error.description
        }
    }

    @Test func aMissingFileSaysSoAndWhatToGive() {
        let text = message { () throws(MasterError) in try MasterConfig.load(path: "/nonexistent/missing.toml") }
        #expect(text.contains("/nonexistent/missing.toml does not exist"))
        #expect(!text.contains("NSCocoaErrorDomain"))
    }

    @Test func aValueOfTheWrongTypeNamesItsKeyOnce() {
        let text = message { () throws(MasterError) in try MasterConfig.parse("node_id = \"x\"\n", source: "m.toml") }
        #expect(text.contains("m.toml line 1: node_id = \"x\" should be a whole number (see Configs/README.md)"), "\(text)")
        #expect(!text.contains("node_id.node_id"))
    }

    @Test(arguments: [
        ("node_id = 1\n\n[timing]\ntick_ms = \"fast\" # ms", "m.toml line 4: timing.tick_ms = \"fast\" should be a whole number"),
        ("[scheduling]\noffer_timeout_seconds = \"5s\"", "m.toml line 2: scheduling.offer_timeout_seconds = \"5s\" should be a number of seconds"),
        ("join = 1", "m.toml line 1: join = 1 should be true or false"),
        ("[[peers]]\nid = 1\nraft = \"a:1\"\nhttp = \"a:2\"\n[[peers]]\nid = \"two\"\nraft = \"b:1\"\nhttp = \"b:2\"",
         "m.toml line 6: peers[1].id = \"two\" should be a whole number"),
        ("[[peers]]\nid = 1\nhttp = \"a:2\"", "m.toml: peers[0].raft is missing; it should be a string \"HOST:PORT\""),
    ])
    func aBadValueNamesItsLineKeyValueAndWhatBelongsThere(text: String, expected: String) {
        let error = message { () throws(MasterError) in try MasterConfig.parse(text, source: "m.toml") }
        #expect(error.contains(expected), "\(error)")
    }
}
