import CorralModel

/// Reads `--attributes` as mesos-agent does (`Attributes::parse`): `rack:r1;zone:a;level:3;
/// slots:[1-4]`, items `name:value` separated by `;`, each value text, a scalar or ranges
/// (Mesos refuses sets for attributes, and so does this).
enum AttributeText {
    /// The attributes in the order given. Errors name the item; the field is `attributes`.
    static func parse(_ text: String) throws(AgentConfigError) -> [Attribute] {
        var attributes: [Attribute] = []
        for raw in text.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let item = raw.trimmed
            if item.isEmpty { continue }
            guard let colon = item.firstIndex(of: ":") else {
                throw bad("\"\(item)\" is not name:value (e.g. rack:r1, level:3, slots:[1-4])")
            }
            let name = String(item[..<colon].trimmed)
            guard !name.isEmpty else { throw bad("\"\(item)\" has no attribute name before the colon") }
            guard !attributes.contains(where: { $0.name == name }) else {
                throw bad("\(name) is given twice; give each attribute once")
            }
            let value: ValueText
            do {
                value = try ValueText.parse(item[item.index(after: colon)...])
            } catch {
                throw bad("\"\(item)\" — \(error.message)")
            }
            switch value {
            case .scalar(let number): attributes.append(.scalar(name, number))
            case .ranges(let ranges): attributes.append(Attribute(name: name, type: .ranges, ranges: ranges))
            case .text(let text): attributes.append(.text(name, text))
            case .set: throw bad("\"\(item)\" — an attribute is text, a number or [ranges], not a {set}")
            }
        }
        return attributes
    }

    private static func bad(_ message: String) -> AgentConfigError {
        AgentConfigError(field: "attributes", message)
    }
}
