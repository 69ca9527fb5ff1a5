import CorralModel

/// One role's offer constraints, checked and with their regular expressions compiled, as the
/// leader applies them to agents (`OfferConstraints` has the rules).
///
/// As in Mesos, the text predicates hold for an attribute that exists but is not TEXT (a
/// SCALAR, RANGES or SET attribute): the scheduler filters those itself. Regular expressions
/// must match the whole value. They are Swift `Regex` syntax, which accepts RE2's common
/// syntax (classes, alternation, repetition, anchors, groups); RE2 refuses backreferences
/// and lookaround, which this accepts.
struct OfferConstraintMatcher {
    private enum Check {
        case exists(Bool)
        case equals(String, Bool)
        case matches(Regex<AnyRegexOutput>, Bool)
    }

    private struct Compiled {
        var selector: AttributeConstraint.Selector
        var check: Check
    }

    private let groups: [[Compiled]]

    /// Checks and compiles `constraints` (given for `role`); throws a 400 that says what is
    /// wrong.
    init(_ constraints: OfferConstraints.RoleConstraints, role: String) throws(MasterError) {
        func invalid(_ message: String) -> MasterError {
            MasterError(code: .request, message: "offer_constraints for role \"\(role)\": \(message)")
        }
        guard !constraints.groups.isEmpty else { throw invalid("needs at least one group") }
        var groups: [[Compiled]] = []
        for group in constraints.groups {
            guard !group.attributeConstraints.isEmpty else {
                throw invalid("a group needs at least one attribute constraint")
            }
            var compiled: [Compiled] = []
            for constraint in group.attributeConstraints {
                if case .attribute(let name) = constraint.selector, name.isEmpty {
                    throw invalid("attribute_name is empty")
                }
                let check: Check
                switch constraint.predicate {
                case .exists: check = .exists(true)
                case .notExists: check = .exists(false)
                case .textEquals(let value): check = .equals(value, true)
                case .textNotEquals(let value): check = .equals(value, false)
                case .textMatches(let pattern), .textNotMatches(let pattern):
                    let regex: Regex<AnyRegexOutput>
                    do { regex = try Regex(pattern) } catch {
                        throw invalid("\"\(pattern)\" is not a valid regular expression: \(error)")
                    }
                    if case .textMatches = constraint.predicate {
                        check = .matches(regex, true)
                    } else {
                        check = .matches(regex, false)
                    }
                }
                compiled.append(Compiled(selector: constraint.selector, check: check))
            }
            groups.append(compiled)
        }
        self.groups = groups
    }

    /// Checks every role's constraints; each role must be one of `roles` (the framework's).
    static func check(_ constraints: OfferConstraints?, roles: [String]) throws(MasterError) {
        for (role, roleConstraints) in constraints?.roleConstraints.sorted(by: { $0.key < $1.key }) ?? [] {
            guard roles.contains(role) else {
                throw MasterError(
                    code: .request,
                    message:
                        "offer_constraints names role \"\(role)\", which is not one of the framework's roles (\(roles.joined(separator: ", ")))"
                )
            }
            _ = try OfferConstraintMatcher(roleConstraints, role: role)
        }
    }

    /// Whether `agent` may be offered: some group's constraints all hold.
    func matches(_ agent: AgentInfo) -> Bool {
        groups.contains { group in group.allSatisfy { Self.holds($0, on: agent) } }
    }

    /// A (pseudo)attribute's value: its text, or nil text for one that is not TEXT.
    private enum Seen {
        case text(String)
        case notText
    }

    private static func value(_ selector: AttributeConstraint.Selector, of agent: AgentInfo) -> Seen? {
        switch selector {
        case .hostname: return .text(agent.hostname)
        case .region: return agent.domain?.faultDomain.map { .text($0.region.name) }
        case .zone: return agent.domain?.faultDomain.map { .text($0.zone.name) }
        case .attribute(let name):
            guard let attribute = agent.attributes.first(where: { $0.name == name }) else { return nil }
            guard attribute.type == .text else { return .notText }
            return .text(attribute.text?.value ?? "")
        }
    }

    private static func holds(_ constraint: Compiled, on agent: AgentInfo) -> Bool {
        let seen = value(constraint.selector, of: agent)
        switch constraint.check {
        case .exists(let wanted):
            return (seen != nil) == wanted
        case .equals(let value, let wanted):
            switch seen {
            case nil: return !wanted
            case .notText: return true
            case .text(let text): return (text == value) == wanted
            }
        case .matches(let regex, let wanted):
            switch seen {
            case nil: return !wanted
            case .notText: return true
            case .text(let text): return ((try? regex.wholeMatch(in: text)) != nil) == wanted
            }
        }
    }
}
