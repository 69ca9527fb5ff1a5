import CorralModel
import CorralScheduler
import Foundation
import Testing

@testable import CorralAgent

@Suite struct AgentConfigTests {
    /// A made-up machine: 8 CPUs, 16 GiB of memory, 100 GiB free.
    let machine = MachineResources(cpus: 8, memoryBytes: 16 << 30, diskFreeBytes: 100 << 30)

    @Test func flagsBecomeAConfigWithTheMachineFillingTheGaps() throws {
        let settings = AgentSettings(
            masters: "10.0.0.1:5050, 10.0.0.2:5050,10.0.0.3", workDirectory: "/var/lib/corral/agent", resources: "cpus:2",
            attributes: "rack:r1", hostname: "node-1", httpListen: "127.0.0.1:0")
        let config = try AgentConfig(settings: settings, machine: machine)
        try config.validate()
        #expect(config.masters.map(\.description) == ["10.0.0.1:5050", "10.0.0.2:5050", "10.0.0.3:5050"])
        #expect(config.workDirectory == "/var/lib/corral/agent")
        #expect(config.httpListen == ListenAddress(host: "127.0.0.1", port: 0))
        #expect(config.resources == [
            .scalar("cpus", 2), .scalar("mem", Scalar(Double(15 << 10))), .scalar("disk", Scalar(Double(95 << 10))),
            .ranges("ports", Ranges(31000...32000)),
        ])
        let info = config.agentInfo(port: 40123)
        #expect(info.hostname == "node-1")
        #expect(info.port == 40123)
        #expect(info.attributes == [.text("rack", "r1")])
        #expect(info.id == nil)
    }

    @Test func revocableResourcesAreOfferedBesideTheFirmOnes() throws {
        let settings = AgentSettings(masters: "m:5050", workDirectory: "/w", resources: "cpus:2", revocableResources: "cpus:3;mem:512")
        let config = try AgentConfig(settings: settings, machine: machine)
        let revocable = config.resources.filter { $0.revocable != nil }
        #expect(revocable.map(\.name) == ["cpus", "mem"] && Resources(revocable).cpus == 3)
        #expect(Resources(config.resources.filter { $0.revocable == nil }).cpus == 2, "the firm CPUs are as given")
        for bad in ["cpus(ml):1", "ports:[1-2]"] {
            #expect(throws: AgentConfigError.self, "\(bad)") {
                _ = try AgentConfig(settings: AgentSettings(masters: "m:5050", workDirectory: "/w", revocableResources: bad), machine: machine)
            }
        }
        let file = try AgentSettings.parse(#"revocable_resources = "cpus:1""#, source: "test")
        #expect(file.revocableResources == "cpus:1")
    }

    @Test func defaultsAreMesosAgentsOnes() throws {
        let config = try AgentConfig(settings: AgentSettings(masters: "m:5050", workDirectory: "work"), machine: machine)
        #expect(config.httpListen == ListenAddress(host: "0.0.0.0", port: 5051))
        #expect(config.hostname == AgentConfig.machineHostname())
        #expect(config.workDirectory == FileManager.default.currentDirectoryPath + "/work")
        #expect(config.timing == AgentConfig.Timing())
        #expect(config.linkTimeouts == MasterLink.Timeouts())
    }

    @Test func reservesMemoryAndDiskAsMesosDoes() {
        let small = MachineResources(cpus: 1, memoryBytes: 1 << 30, diskFreeBytes: 4 << 30)
        #expect(small.offeredMemoryMegabytes == 512)
        #expect(small.offeredDiskMegabytes == 2048)
        #expect(machine.offeredMemoryMegabytes == Scalar(Double(15 * 1024)))
        #expect(machine.offeredDiskMegabytes == Scalar(Double(95 * 1024)))
    }

    @Test func detectsThisMachine() throws {
        let detected = try MachineResources.detect(workDirectory: NSTemporaryDirectory() + "/not-made-yet/agent")
        #expect(detected.cpus >= 1)
        #expect(detected.memoryBytes > 0)
        let config = try AgentConfig(settings: AgentSettings(masters: "m:5050", workDirectory: "/tmp/x", resources: "disk:10"))
        try config.validate()
        let cpus = try #require(config.resources.first { $0.name == "cpus" }?.scalar)
        let mem = try #require(config.resources.first { $0.name == "mem" }?.scalar)
        #expect(cpus >= 1)
        #expect(mem > .zero)
        #expect(config.resources.first { $0.name == "disk" }?.scalar == 10)
    }

    @Test(arguments: [
        (AgentSettings(workDirectory: "/w"), "masters: is required"),
        (AgentSettings(masters: " ", workDirectory: "/w"), "masters: is required"),
        (AgentSettings(masters: "a:5050,b:99999", workDirectory: "/w"), #"masters: "b:99999" in "a:5050,b:99999" is not HOST:PORT"#),
        (AgentSettings(masters: "a:5050,", workDirectory: "/w"), #"masters: "" in"#),
        (AgentSettings(masters: "a:5050"), "work_dir: is required"),
        (AgentSettings(masters: "a:5050", workDirectory: "/w", httpListen: "nowhere"), #"http_listen: "nowhere" is not host:port"#),
        (AgentSettings(masters: "a:5050", workDirectory: "/w", httpListen: "h:70000"), "http_listen"),
        (AgentSettings(masters: "a:5050", workDirectory: "/w", resources: "cpus:x"), #"resources: "cpus:x" — "x" is not a number"#),
        (AgentSettings(masters: "a:5050", workDirectory: "/w", attributes: "rack"), "attributes:"),
    ])
    func refusesBadSettings(settings: AgentSettings, expected: String) {
        #expect {
            try AgentConfig(settings: settings, machine: machine)
        } throws: { error in
            (error as? AgentConfigError)?.description.contains(expected) ?? false
        }
    }

    @Test(arguments: [
        ("cpus:0", "resources: cpus is 0.0; an agent needs more than 0 cpus"),
        ("mem:0", "resources: mem is 0.0"),
    ])
    func validateRefusesAnAgentThatCannotRunATask(resources: String, expected: String) throws {
        let config = try AgentConfig(settings: AgentSettings(masters: "a:1", workDirectory: "/w", resources: resources), machine: machine)
        #expect {
            try config.validate()
        } throws: { error in
            (error as? AgentConfigError)?.description.contains(expected) ?? false
        }
    }

    @Test func validateChecksHostnameAndTiming() throws {
        var config = try AgentConfig(settings: AgentSettings(masters: "a:1", workDirectory: "/w"), machine: machine)
        try config.validate()
        config.hostname = "two words"
        #expect(throws: AgentConfigError(field: "hostname", #""two words" is not a host name"#)) { try config.validate() }
        config.hostname = "h"
        config.timing.registrationBackoffMaximumMilliseconds = 10
        config.timing.registrationBackoffMilliseconds = 20
        #expect(throws: AgentConfigError(
            field: "timing.registration_backoff_max_ms", "(10) must be at least timing.registration_backoff_ms (20)")) {
            try config.validate()
        }
        config.timing = AgentConfig.Timing(masterSilenceSeconds: -1)
        #expect(throws: AgentConfigError.self) { try config.validate() }
    }

    @Test func listenAddresses() {
        #expect(ListenAddress("0.0.0.0:5051") == .default)
        #expect(ListenAddress("[::1]:0") == ListenAddress(host: "::1", port: 0))
        #expect(ListenAddress("[::1]:0")?.description == "[::1]:0")
        #expect(ListenAddress("host") == nil)
        #expect(ListenAddress(":80") == nil)
        #expect(ListenAddress("h:-1") == nil)
    }
}
