import CorralChaos
import Testing

/// The `clock-jump` fault's fields and `alongside` steps: parsing, errors that name the field,
/// and the schedule of a step that runs alongside the one before it.
@Suite struct ClockJumpFieldsTests {
    static func step(_ body: String) -> String { FaultFieldsTests.step(body) }

    @Test func aClockJumpReadsItsJumpAndAlongside() throws {
        let text = Self.step("kind = \"kill\"\ntarget = \"leader\"\n")
            + "[[faults]]\nkind = \"clock-jump\"\ntarget = \"all\"\njump = -600\nstart = 0.5\nheal_after = 2\nalongside = true\n"
        let scenario = try Scenario.parse(text, name: "c")
        #expect(scenario.faults[1].kind == .clockJump && scenario.faults[1].jumpSeconds == -600 && scenario.faults[1].alongside)
        #expect(scenario.hasClockJumps && !scenario.hasPartitions)
        #expect(scenario.faults[0].jumpSeconds == nil && !scenario.faults[0].alongside)
    }

    @Test func anAlongsideStepStartsFromThePreviousStepsStartAndTheNextWaitsForBoth() throws {
        let text = """
            duration_seconds = 30
            [[faults]]
            kind = "kill"
            target = "follower"
            start = 2
            heal_after = 8
            [[faults]]
            kind = "clock-jump"
            target = "leader"
            jump = 3600
            start = 1
            heal_after = 3
            alongside = true
            [[faults]]
            kind = "kill"
            target = "leader"
            start = 1
            heal_after = 1
            """
        let scenario = try Scenario.parse(text, name: "c")
        let plan = FaultSchedule.plan(scenario, seed: 9)
        #expect(plan.map(\.atSeconds) == [2, 3, 11])
        #expect(plan.map(\.alongside) == [false, true, false])
        #expect(plan[1].jumpSeconds == 3600 && plan[1].description.contains("clock-jump by +3600 s leader"))
        #expect(scenario.longestSchedule == 12)
    }

    static let bad: [(String, String, String)] = [
        (step("kind = \"clock-jump\"\ntarget = \"leader\"\n"), "faults[0].jump", "is required for \"clock-jump\""),
        (step("kind = \"clock-jump\"\ntarget = \"leader\"\njump = 0\n"), "faults[0].jump", "is required for \"clock-jump\""),
        (step("kind = \"clock-jump\"\ntarget = \"leader\"\njump = 1e12\n"), "faults[0].jump", "is required for \"clock-jump\""),
        (step("kind = \"kill\"\ntarget = \"leader\"\njump = 60\n"), "faults[0].jump", "only a \"clock-jump\" fault takes jump"),
        (step("kind = \"clock-jump\"\ntarget = \"majority\"\njump = 60\n"), "faults[0].target", "\"clock-jump\" takes"),
        (step("kind = \"kill\"\ntarget = \"leader\"\nalongside = true\n"), "faults[0].alongside", "the first step has no previous step"),
        (step("kind = \"kill\"\ntarget = \"leader\"\n") + "[[faults]]\nkind = \"kill\"\ntarget = \"leader\"\nstart = 1\nheal_after = 1\nalongside = 1\n",
         "faults[1].alongside", "must be true or false"),
    ]

    @Test(arguments: 0..<bad.count) func badFieldIsNamed(_ index: Int) {
        let (text, field, message) = Self.bad[index]
        FaultFieldsTests.expectRefused(text, field: field, message: message)
    }
}
