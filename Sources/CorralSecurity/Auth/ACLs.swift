import Foundation

/// Mesos-style access control lists (`--acls FILE`): for each action an ordered list of rules,
/// each naming the principals it is about and the objects (roles, users, paths ...) it covers.
/// The first rule whose principals and objects both match a request decides: it allows unless
/// either of its entities is `{"type": "NONE"}`. When no rule matches, `permissive` decides
/// (true by default, as in Mesos).
///
/// ```json
/// {"permissive": false,
///  "register_frameworks": [{"principals": {"values": ["ops"]}, "roles": {"values": ["prod"]}}],
///  "run_tasks": [{"principals": {"type": "ANY"}, "users": {"values": ["nobody"]}}]}
/// ```
public struct ACLs: Sendable, Equatable {
    /// A set of principals or objects: some values, any, or none.
    public enum Entity: Sendable, Equatable {
        case any
        case none
        case values(Set<String>)

        func matches(_ value: String?) -> Bool {
            switch self {
            case .any, .none: true
            case .values(let values): value.map(values.contains) ?? false
            }
        }

        var allows: Bool { self != .none }
    }

    /// One rule: its principals and the objects it covers.
    public struct Rule: Sendable, Equatable {
        public var principals: Entity
        public var objects: Entity
    }

    /// Allow what no rule covers.
    public var permissive: Bool
    /// Rules by action, in the file's order.
    public var rules: [ACLAction: [Rule]]

    public init(permissive: Bool = true, rules: [ACLAction: [Rule]] = [:]) {
        self.permissive = permissive
        self.rules = rules
    }

    /// Whether `principal` (nil: unauthenticated, which only rules for `ANY` principal match)
    /// may do `action` to `object` (nil: an object without a value, which only `ANY` or
    /// `NONE` rules match).
    public func allows(_ action: ACLAction, principal: String?, object: String? = nil) -> Bool {
        for rule in rules[action] ?? [] where rule.principals.matches(principal) && rule.objects.matches(object) {
            return rule.principals.allows && rule.objects.allows
        }
        return permissive
    }

    /// Whether a rule (not `permissive`) allows `principal` to do `action` to `object`: for
    /// what must be granted explicitly, such as running tasks as root.
    public func explicitlyAllows(_ action: ACLAction, principal: String?, object: String? = nil) -> Bool {
        for rule in rules[action] ?? [] where rule.principals.matches(principal) && rule.objects.matches(object) {
            return rule.principals.allows && rule.objects.allows
        }
        return false
    }

    /// Reads the ACLs file at `path` (`--acls`).
    public static func load(path: String) throws(AuthError) -> ACLs {
        try parse(try AuthFile.read(path, what: "ACLs"), source: path)
    }

    /// Parses an ACLs file's JSON text; the error names the action and rule that is wrong.
    public static func parse(_ text: String, source: String = "acls") throws(AuthError) -> ACLs {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw AuthError("\(source) is not a JSON object; expected {\"permissive\": true|false, \"<action>\": [rules...]}")
        }
        var acls = ACLs()
        for (key, value) in object {
            if key == "permissive" {
                guard let flag = value as? Bool else { throw AuthError("\(source): permissive must be true or false") }
                acls.permissive = flag
                continue
            }
            guard let action = ACLAction(rawValue: key) else {
                let known = ACLAction.allCases.map(\.rawValue).joined(separator: ", ")
                throw AuthError("\(source): unknown action '\(key)'; known: permissive, \(known)")
            }
            guard let list = value as? [[String: Any]] else { throw AuthError("\(source): \(key) must be a list of rules") }
            var parsed: [Rule] = []
            for (index, rule) in list.enumerated() {
                parsed.append(try parseRule(rule, action: action, place: "\(source): \(key)[\(index)]"))
            }
            acls.rules[action] = parsed
        }
        return acls
    }

    private static func parseRule(_ rule: [String: Any], action: ACLAction, place: String) throws(AuthError) -> Rule {
        for key in rule.keys where key != "principals" && key != action.objectField {
            let expected = ["principals", action.objectField].compactMap { $0 }.joined(separator: " and ")
            throw AuthError("\(place): unknown field '\(key)'; a \(action.rawValue) rule has \(expected)")
        }
        let principals = try entity(rule["principals"], place: "\(place).principals")
        var objects = Entity.any
        if let field = action.objectField { objects = try entity(rule[field], place: "\(place).\(field)") }
        return Rule(principals: principals, objects: objects)
    }

    private static func entity(_ value: Any?, place: String) throws(AuthError) -> Entity {
        guard let value else { return .any }
        let usage = "{\"values\": [\"...\"]} or {\"type\": \"ANY\"} or {\"type\": \"NONE\"}"
        guard let object = value as? [String: Any] else { throw AuthError("\(place) must be \(usage)") }
        if let values = object["values"] {
            guard let strings = values as? [String], object["type"] == nil else { throw AuthError("\(place) must be \(usage)") }
            return .values(Set(strings))
        }
        switch object["type"] as? String {
        case "ANY": return .any
        case "NONE": return .none
        default: throw AuthError("\(place) must be \(usage)")
        }
    }
}
