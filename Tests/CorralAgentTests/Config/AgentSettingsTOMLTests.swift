import CorralModel
import Foundation
import Testing

@testable import CorralAgent

@Suite struct AgentSettingsTOMLTests {
    let machine = MachineResources(cpus: 4, memoryBytes: 8 << 30, diskFreeBytes: 50 << 30)

    static let file = """
        masters = ["m1:5050", "m2:5050"]
        work_dir = "/srv/agent"
        runtime_dir = "/run/corral-agent"
        resources = "cpus:2;mem:1024"
        attributes = "rack:r1;zone:a"
        hostname = "from-file"
        http_listen = "127.0.0.1:5061"

        [timing]
        connect_timeout_ms = 500
        request_timeout_ms = 9000
        master_silence_seconds = 1.5
        registration_backoff_ms = 20
        registration_backoff_max_ms = 400
        """

    @Test func readsEveryKey() throws {
        let settings = try AgentSettings.parse(Self.file, source: "agent.toml")
        #expect(settings == AgentSettings(
            masters: "m1:5050,m2:5050", workDirectory: "/srv/agent", runtimeDirectory: "/run/corral-agent",
            resources: "cpus:2;mem:1024",
            attributes: "rack:r1;zone:a", hostname: "from-file", httpListen: "127.0.0.1:5061",
            connectTimeoutMilliseconds: 500, requestTimeoutMilliseconds: 9000, masterSilenceSeconds: 1.5,
            registrationBackoffMilliseconds: 20, registrationBackoffMaximumMilliseconds: 400))
        let config = try AgentConfig(settings: settings, machine: machine)
        try config.validate()
        #expect(config.runtimeDirectory == "/run/corral-agent")
        #expect(config.linkTimeouts == MasterLink.Timeouts(
            connect: .milliseconds(500), request: .milliseconds(9000), streamSilence: .milliseconds(1500),
            initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(400)))
    }

    @Test func flagsOverrideTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agent-toml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("agent.toml").path
        try Self.file.write(toFile: path, atomically: true, encoding: .utf8)

        let flags = AgentSettings(
            masters: "m3:5050", resources: "cpus:1;mem:512;disk:100;ports:[1-2]", hostname: "from-flag",
            registrationBackoffMaximumMilliseconds: 800)
        let config = try AgentConfig.resolve(flags: flags, configFile: path)
        #expect(config.masters.map(\.description) == ["m3:5050"])
        #expect(config.hostname == "from-flag")
        #expect(config.workDirectory == "/srv/agent")
        #expect(config.runtimeDirectory == "/run/corral-agent")
        let defaulted = try AgentConfig(settings: AgentSettings(masters: "m:1", workDirectory: "/w"), machine: machine)
        #expect(defaulted.runtimeDirectory == "/w/runtime")
        #expect(throws: AgentConfigError.self) {
            try AgentConfig(settings: AgentSettings(masters: "m:1", workDirectory: "/w", runtimeDirectory: " "), machine: machine)
        }
        #expect(config.attributes == [.text("rack", "r1"), .text("zone", "a")])
        #expect(config.resources == [.scalar("cpus", 1), .scalar("mem", 512), .scalar("disk", 100), .ranges("ports", Ranges(1...2))])
        #expect(config.timing.registrationBackoffMaximumMilliseconds == 800)
        #expect(config.timing.registrationBackoffMilliseconds == 20)
    }

    @Test func theShippedExampleIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let settings = try AgentSettings.load(path: root.appendingPathComponent("Configs/agent.toml").path)
        let config = try AgentConfig(settings: settings, machine: machine)
        try config.validate()
        #expect(config.masters.count == 3)
    }

    @Test(arguments: [
        ("masters = 5", "agent.toml line 1: masters: should be a string"),
        ("work_dir = [1]", "agent.toml line 1: work_dir: should be a string"),
        ("# an agent\nresorces = \"cpus:1\"", "agent.toml line 2: resorces: is not a setting of corral agent"),
        ("[timing]\ntick_ms = 5", "agent.toml line 2: timing.tick_ms: is not a timing setting"),
        ("hostname = \"a\"\n\n[timing]\nconnect_timeout_ms = \"fast\"",
         "agent.toml line 4: timing.connect_timeout_ms: should be an integer (milliseconds), not \"fast\""),
        ("masters = [", "config: agent.toml is not valid TOML"),
    ])
    func refusesBadFiles(text: String, expected: String) {
        #expect {
            try AgentSettings.parse(text, source: "agent.toml")
        } throws: { error in
            (error as? AgentConfigError)?.description.hasPrefix(expected) ?? false
        }
    }

    @Test func aMissingFileIsNamed() {
        #expect {
            try AgentConfig.resolve(flags: AgentSettings(masters: "m:1", workDirectory: "/w"), configFile: "/nonexistent/agent.toml")
        } throws: { error in
            (error as? AgentConfigError)?.description.hasPrefix("config: cannot read /nonexistent/agent.toml") ?? false
        }
    }
}
