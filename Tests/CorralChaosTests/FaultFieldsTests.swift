import CorralContainer
import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// The disk and link faults' scenario fields (`failpoints`, `links`), the `links` grammar, and
/// the `corral` binary refusing a bad `CORRAL_FAILPOINTS`.
@Suite struct FaultFieldsTests {
    static func step(_ body: String) -> String {
        "duration_seconds = 20\n[[faults]]\nstart = 1\nheal_after = 1\n" + body
    }

    @Test func slowFsyncDefaultsItsFailpointsAndReadsGivenOnes() throws {
        let plain = try Scenario.parse(Self.step("kind = \"slow-fsync\"\ntarget = \"follower\"\n"), name: "s")
        #expect(plain.faults.first?.failpoints == Scenario.defaultSlowFsync)
        let given = try Scenario.parse(
            Self.step("kind = \"slow-fsync\"\ntarget = \"leader\"\nfailpoints = \"lmdb.commit=sleep(50ms)@p=0.5\"\n"), name: "s")
        #expect(given.faults.first?.failpoints == "lmdb.commit=sleep(50ms)@p=0.5")
        let lossy = try Scenario.parse(Self.step("kind = \"lossy\"\ntarget = \"all\"\nlinks = \"loss=0.2,delay=5ms\"\n"), name: "l")
        #expect(lossy.faults.first?.links == "loss=0.2,delay=5ms" && lossy.hasLinkFaults && !lossy.hasPartitions)
        let disk = try Scenario.parse(Self.step("kind = \"disk-full\"\ntarget = \"leader\"\n"), name: "d")
        #expect(disk.hasDiskFull && disk.faults.first?.failpoints == nil)
    }

    static let bad: [(String, String, String)] = [
        (step("kind = \"kill\"\ntarget = \"leader\"\nfailpoints = \"raft.fsync=sleep(1ms)\"\n"), "faults[0].failpoints", "only a \"slow-fsync\""),
        (step("kind = \"slow-fsync\"\ntarget = \"leader\"\nfailpoints = \"raft.fsync=slep(1ms)\"\n"), "faults[0].failpoints",
         "CORRAL_FAILPOINTS: 'raft.fsync=slep(1ms)': unknown action"),
        (step("kind = \"slow-fsync\"\ntarget = \"leader\"\nfailpoints = \" ; \"\n"), "faults[0].failpoints", "names no failpoint"),
        (step("kind = \"disk-full\"\ntarget = \"all\"\n"), "faults[0].target", "\"disk-full\" aims at one master"),
        (step("kind = \"lossy\"\ntarget = \"leader\"\n"), "faults[0].links", "is required"),
        (step("kind = \"lossy\"\ntarget = \"leader\"\nlinks = \"loss=2\"\n"), "faults[0].links", "'loss=2': loss must be a chance"),
        (step("kind = \"lossy\"\ntarget = \"majority\"\nlinks = \"loss=0.1\"\n"), "faults[0].target", "\"lossy\" takes"),
        (step("kind = \"pause\"\ntarget = \"leader\"\nlinks = \"loss=0.1\"\n"), "faults[0].links", "only a \"lossy\""),
        (step("kind = \"lossy\"\ntarget = \"leader\"\nlinks = \"loss=0.1\"\n")
            + "[[faults]]\nkind = \"isolate\"\ntarget = \"leader\"\nstart = 1\nheal_after = 1\n", "faults[1].kind", "a scenario with \"lossy\" faults"),
    ]

    @Test(arguments: 0..<bad.count) func badFieldIsNamed(_ index: Int) {
        let (text, field, message) = Self.bad[index]
        Self.expectRefused(text, field: field, message: message)
    }

    /// Expects `text` to be refused with an error naming `field` and starting with `message`.
    static func expectRefused(_ text: String, field: String, message: String = "") {
        #expect {
            _ = try Scenario.parse(text, name: "bad", source: "bad.toml")
        } throws: { error in
            guard let error = error as? ScenarioError else { return false }
            return error.field == field && error.description.hasPrefix("bad.toml: \(field): \(message)")
        }
    }

    @Test func linkFaultGrammar() throws {
        #expect(try LinkFault.parse("delay=20ms, jitter=60ms,loss=0.1,duplicate=0.05,reset=0.01")
            == LinkFault(delayMs: 20, jitterMs: 60, loss: 0.1, duplicate: 0.05, reset: 0.01))
        for bad in ["delay=20", "jitter=9000ms", "loss=1", "reset=-0.1", "duplicate=x", "drop=0.1", "loss", "loss=0"] {
            #expect(throws: LinkFaultError.self, "\(bad)") { _ = try LinkFault.parse(bad) }
        }
    }

    @Test func corralRefusesABadFailpointsVariableWithStatus2() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CorralBinary.locate())
        process.arguments = ["master", "--help"]
        process.environment = ["CORRAL_FAILPOINTS": "raft.fsync=sleep(300ms);lmdb.commit=error(ENOSPACE)"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.runWithoutInheritedFiles()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(said.hasPrefix("corral: CORRAL_FAILPOINTS: 'lmdb.commit=error(ENOSPACE)': bad errno 'ENOSPACE'"), "\(said)")
    }
}
