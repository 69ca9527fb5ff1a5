import CorralModel

/// Reads `--resources` as mesos-agent does (`Resources::parse`): either the text form
/// `cpus:4;mem:8192;ports:[31000-32000];gpus(ml):1;zones:{a,b}` (`name(role):value` items
/// separated by `;`, a role giving a static reservation) or, when it starts with `[`, a JSON
/// array of v1 `Resource` objects.
enum ResourceText {
    /// The resources as given, checked, not yet merged (`Resources` adds `cpus:1;cpus:2` up to
    /// three cpus and drops `cpus:0`, which must still count as given). Errors name the item
    /// and what was wrong with it; the field is `resources`.
    static func parse(_ text: String) throws(AgentConfigError) -> [Resource] {
        let trimmed = Substring(text).trimmed
        let given = trimmed.first == "[" ? try json(trimmed) : try items(trimmed)
        for resource in given { try check(resource) }
        var byName: [String: Value.ValueType] = [:]
        for resource in given {
            if let earlier = byName[resource.name], earlier != resource.type {
                throw bad(
                    "\(resource.name) is given both as \(earlier.rawValue) and as \(resource.type.rawValue); "
                        + "one name has one type")
            }
            byName[resource.name] = resource.type
        }
        return given
    }

    private static func bad(_ message: String) -> AgentConfigError {
        AgentConfigError(field: "resources", message)
    }

    /// `name(role):value;…`; empty items (a trailing `;`) are skipped.
    private static func items(_ text: Substring) throws(AgentConfigError) -> [Resource] {
        var resources: [Resource] = []
        for raw in text.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let item = raw.trimmed
            if item.isEmpty { continue }
            guard let colon = item.firstIndex(of: ":") else {
                throw bad("\"\(item)\" is not name:value (e.g. cpus:4, ports:[31000-32000], disks:{a,b})")
            }
            var name = item[..<colon].trimmed
            var role: String?
            if let open = name.firstIndex(of: "(") {
                guard name.last == ")" else { throw bad("\"\(item)\": a role is written name(role):value") }
                let inner = name[name.index(after: open)..<name.index(before: name.endIndex)].trimmed
                guard !inner.isEmpty else { throw bad("\"\(item)\": the role in parentheses is empty") }
                role = inner == "*" ? nil : String(inner)
                name = name[..<open].trimmed
            }
            guard !name.isEmpty else { throw bad("\"\(item)\" has no resource name before the colon") }
            let value: ValueText
            do {
                value = try ValueText.parse(item[item.index(after: colon)...])
            } catch {
                throw bad("\"\(item)\" — \(error.message)")
            }
            let named = String(name)
            switch value {
            case .scalar(let amount): resources.append(.scalar(named, amount, role: role))
            case .ranges(let ranges): resources.append(.ranges(named, ranges, role: role))
            case .set(let items): resources.append(.set(named, items, role: role))
            case .text(let text): throw bad("\"\(item)\" — \"\(text)\" is not a number")
            }
        }
        return resources
    }

    /// The JSON array form: `[{"name": "cpus", "type": "SCALAR", "scalar": {"value": 4}}, …]`.
    private static func json(_ text: Substring) throws(AgentConfigError) -> [Resource] {
        do {
            return try MesosJSON.decode([Resource].self, from: Array(text.utf8))
        } catch {
            throw bad("the JSON array of resources cannot be read: \(error.message)")
        }
    }

    /// What Mesos's `Resources::validate` refuses: no name, a payload that does not match the
    /// type, a negative scalar, a range that ends before it begins, text.
    static func check(_ resource: Resource) throws(AgentConfigError) {
        let name = resource.name
        guard !name.isEmpty else { throw bad("a resource has no name") }
        switch resource.type {
        case .scalar:
            guard let amount = resource.scalar else { throw bad("\(name) is SCALAR but has no \"scalar\" value") }
            guard amount >= .zero else { throw bad("\(name):\(amount) is negative; give an amount of 0 or more") }
        case .ranges:
            guard let ranges = resource.ranges else { throw bad("\(name) is RANGES but has no \"ranges\" value") }
            if let wrong = ranges.range.first(where: { $0.begin > $0.end }) {
                throw bad("\(name): the range \(wrong.begin)-\(wrong.end) ends before it begins")
            }
        case .set:
            guard resource.set != nil else { throw bad("\(name) is SET but has no \"set\" value") }
        default:
            throw bad("\(name) has type \(resource.type.rawValue); a resource is SCALAR, RANGES or SET")
        }
    }
}
