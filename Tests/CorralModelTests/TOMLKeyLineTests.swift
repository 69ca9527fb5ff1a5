import CorralModel
import Testing

/// Finding a config key's line for error messages.
@Suite struct TOMLKeyLineTests {
    static let text = """
        # a master
        node_id = "x"   # wrong
        timing.tick_ms = 5
        [scheduling]
        policy = "a # not a comment" # a comment
        [[peers]]
        id = 1
        [[peers]]
        id = 'two'
        """

    @Test func findsTopLevelDottedSectionAndArrayKeysWithoutTheirComments() {
        #expect(TOMLKeyLine.find(["node_id"], in: Self.text) == .init(line: 2, value: "\"x\""))
        #expect(TOMLKeyLine.find(["timing", "tick_ms"], in: Self.text) == .init(line: 3, value: "5"))
        #expect(TOMLKeyLine.find(["scheduling", "policy"], in: Self.text) == .init(line: 5, value: "\"a # not a comment\""))
        #expect(TOMLKeyLine.find(["peers", "[1]", "id"], in: Self.text) == .init(line: 9, value: "'two'"))
        #expect(TOMLKeyLine.find(["peers", "[0]", "id"], in: Self.text)?.line == 7)
        #expect(TOMLKeyLine.find(["policy"], in: Self.text) == nil, "policy is in [scheduling], not at the top")
        #expect(TOMLKeyLine.find(["join"], in: Self.text) == nil)
    }
}
