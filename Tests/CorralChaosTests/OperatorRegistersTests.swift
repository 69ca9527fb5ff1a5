import CorralChaos
import Testing

/// The register workload's Operator API registers: `weight_roles` and `quota_roles` in a
/// scenario, and the names they get in the history.
@Suite struct OperatorRegistersTests {
    @Test func rolesBecomeRegisters() throws {
        let text = """
            duration_seconds = 10
            [workload]
            keys = ["r0"]
            weight_roles = ["ops", "batch-1"]
            quota_roles = ["ops"]
            [[faults]]
            kind = "kill"
            target = "leader"
            start = 1
            heal_after = 1
            """
        let scenario = try Scenario.parse(text, name: "w")
        #expect(scenario.workload.registers == ["r0", "weight:ops", "weight:batch-1", "quota:ops"])
        let plain = try Scenario.parse(text.replacingOccurrences(of: "weight_roles = [\"ops\", \"batch-1\"]\nquota_roles = [\"ops\"]\n", with: ""), name: "p")
        #expect(plain.workload.registers == ["r0"])
    }

    static let bad: [(String, String, String)] = [
        ("duration_seconds = 10\n[workload]\nweight_roles = \"ops\"\n", "workload.weight_roles", "must be a list of role names"),
        ("duration_seconds = 10\n[workload]\nquota_roles = [\"a/b\"]\n", "workload.quota_roles[0]", "must be a role name"),
        ("duration_seconds = 10\n[workload]\nquota_roles = [\"\"]\n", "workload.quota_roles[0]", "must be a role name"),
    ]

    @Test(arguments: 0..<bad.count) func badRolesAreNamed(_ index: Int) {
        let (text, field, message) = Self.bad[index]
        FaultFieldsTests.expectRefused(text + "[[faults]]\nkind = \"kill\"\ntarget = \"leader\"\nstart = 1\nheal_after = 1\n", field: field, message: message)
    }
}
