import CorralModel
import Testing

@testable import CorralAgent

@Suite struct ResourceTextTests {
    @Test func readsScalarsRangesSetsAndRoles() throws {
        let resources = try ResourceText.parse("cpus:4; mem:8192.5;disk:100;ports:[31000-32000, 40000-40010];zones:{a, b};gpus(ml):2;")
        #expect(Resources(resources) == Resources([
            .scalar("cpus", 4), .scalar("mem", 8192.5), .scalar("disk", 100),
            .ranges("ports", Ranges(31000...32000, 40000...40010)), .set("zones", ["a", "b"]),
            .scalar("gpus", 2, role: "ml"),
        ]))
        #expect(resources.first { $0.name == "gpus" }?.reservationRole == "ml")
    }

    @Test func addsRepeatedNamesAsMesosDoes() throws {
        let resources = Resources(try ResourceText.parse("cpus:1;cpus:2.5;cpus(*):0.5"))
        #expect(resources.count == 1)
        #expect(resources.first?.scalar == 4)
    }

    @Test func readsTheJSONArrayForm() throws {
        let json = #"[{"name":"cpus","type":"SCALAR","scalar":{"value":3}},"#
            + #"{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":1,"end":9}]}}]"#
        let resources = try ResourceText.parse(json)
        #expect(Resources(resources) == Resources([.scalar("cpus", 3), .ranges("ports", Ranges(1...9))]))
    }

    @Test(arguments: [
        ("cpus:abc", #""cpus:abc" — "abc" is not a number"#),
        ("cpus", #""cpus" is not name:value"#),
        (":4", "has no resource name"),
        ("cpus:", "the value is empty"),
        ("cpus:-1", "is negative"),
        ("cpus:inf", "is not a finite number"),
        ("ports:[31000-32000", "does not close them with ]"),
        ("ports:[32000-31000]", "ends before it begins"),
        ("ports:[a-b]", "not a range of unsigned integers"),
        ("ports:[1-2-3]", "is not a range begin-end"),
        ("zones:{a,,b}", "has an empty item"),
        ("zones:{a,b", "does not close it with }"),
        ("cpus(:1", "a role is written name(role):value"),
        ("cpus():1", "the role in parentheses is empty"),
        ("ports:[1-2];ports:3", "one name has one type"),
        ("[{\"name\":\"cpus\"}]", "the JSON array of resources cannot be read"),
        ("[{\"name\":\"cpus\",\"type\":\"SCALAR\"}]", "has no \"scalar\" value"),
        ("[{\"name\":\"cpus\",\"type\":\"TEXT\"}]", "a resource is SCALAR, RANGES or SET"),
    ])
    func refusesBadText(text: String, expected: String) {
        #expect {
            try ResourceText.parse(text)
        } throws: { error in
            guard let error = error as? AgentConfigError else { return false }
            return error.field == "resources" && error.description.contains(expected)
        }
    }

    @Test func errorNamesTheFieldAndTheValue() {
        #expect(throws: AgentConfigError(field: "resources", #""cpus:abc" — "abc" is not a number"#)) {
            try ResourceText.parse("mem:10;cpus:abc")
        }
    }
}

@Suite struct AttributeTextTests {
    @Test func readsTextScalarsAndRanges() throws {
        let attributes = try AttributeText.parse("rack:r1; zone:us-east-1a;level:3;slots:[1-4];url:http://x")
        #expect(attributes == [
            .text("rack", "r1"), .text("zone", "us-east-1a"), .scalar("level", 3),
            Attribute(name: "slots", type: .ranges, ranges: Ranges(1...4)), .text("url", "http://x"),
        ])
    }

    @Test(arguments: [
        ("rack", "is not name:value"),
        (":r1", "has no attribute name"),
        ("rack:", "the value is empty"),
        ("rack:{a,b}", "not a {set}"),
        ("rack:r1;rack:r2", "is given twice"),
        ("rack:r 1", "is not allowed in text"),
        ("slots:[4-1]", "ends before it begins"),
    ])
    func refusesBadText(text: String, expected: String) {
        #expect {
            try AttributeText.parse(text)
        } throws: { error in
            guard let error = error as? AgentConfigError else { return false }
            return error.field == "attributes" && error.description.contains(expected)
        }
    }
}
