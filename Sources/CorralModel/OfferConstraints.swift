/// `OfferConstraints` of Mesos 1.11 (`offer_constraints` in SUBSCRIBE and UPDATE_FRAMEWORK):
/// per role, the agents whose resources may be offered to the framework in that role.
///
/// An agent matches a role's constraints when at least one of its groups matches, and a group
/// matches when every constraint in it does. A role without constraints is offered any agent.
public struct OfferConstraints: Codable, Hashable, Sendable {
    /// `{"groups": [...]}`: one role's alternatives.
    public struct RoleConstraints: Codable, Hashable, Sendable {
        /// `{"attribute_constraints": [...]}`: constraints that must all hold.
        public struct Group: Codable, Hashable, Sendable {
            @Repeated public var attributeConstraints: [AttributeConstraint]
            enum CodingKeys: String, CodingKey { case attributeConstraints = "attribute_constraints" }
            public init(_ attributeConstraints: [AttributeConstraint]) {
                self.attributeConstraints = attributeConstraints
            }
        }

        @Repeated public var groups: [Group]
        public init(groups: [Group]) { self.groups = groups }
    }

    /// Constraints by role name.
    public var roleConstraints: [String: RoleConstraints]

    enum CodingKeys: String, CodingKey { case roleConstraints = "role_constraints" }

    public init(roleConstraints: [String: RoleConstraints] = [:]) { self.roleConstraints = roleConstraints }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        roleConstraints =
            try container.decodeIfPresent([String: RoleConstraints].self, forKey: .roleConstraints) ?? [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !roleConstraints.isEmpty { try container.encode(roleConstraints, forKey: .roleConstraints) }
    }
}

/// One predicate on one (pseudo)attribute of an agent: `{"selector", "predicate"}`.
public struct AttributeConstraint: Codable, Hashable, Sendable {
    /// What the predicate looks at: `{"pseudoattribute_type": "HOSTNAME" | "REGION" | "ZONE"}`
    /// or `{"attribute_name": NAME}` (the agent's first attribute of that name).
    public enum Selector: Hashable, Sendable {
        case hostname, region, zone
        case attribute(String)
    }

    /// `{"exists": {}}`, `{"not_exists": {}}`, `{"text_equals": {"value"}}`,
    /// `{"text_not_equals": {"value"}}`, `{"text_matches": {"regex"}}`,
    /// `{"text_not_matches": {"regex"}}`.
    public enum Predicate: Hashable, Sendable {
        case exists, notExists
        case textEquals(String), textNotEquals(String)
        case textMatches(String), textNotMatches(String)
    }

    public var selector: Selector
    public var predicate: Predicate

    public init(_ selector: Selector, _ predicate: Predicate) {
        self.selector = selector
        self.predicate = predicate
    }

    enum CodingKeys: String, CodingKey { case selector, predicate }
    enum SelectorKeys: String, CodingKey {
        case pseudoattributeType = "pseudoattribute_type"
        case attributeName = "attribute_name"
    }
    enum PredicateKeys: String, CodingKey {
        case exists, notExists = "not_exists", textEquals = "text_equals", textNotEquals = "text_not_equals"
        case textMatches = "text_matches", textNotMatches = "text_not_matches"
    }
    enum ValueKeys: String, CodingKey { case value, regex }
    struct Empty: Codable {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let selector = try container.nestedContainer(keyedBy: SelectorKeys.self, forKey: .selector)
        if let name = try selector.decodeIfPresent(String.self, forKey: .attributeName) {
            self.selector = .attribute(name)
        } else {
            switch try selector.decodeIfPresent(String.self, forKey: .pseudoattributeType) {
            case "HOSTNAME": self.selector = .hostname
            case "REGION": self.selector = .region
            case "ZONE": self.selector = .zone
            case let other:
                throw DecodingError.dataCorruptedError(
                    forKey: .pseudoattributeType,
                    in: selector,
                    debugDescription:
                        "selector needs attribute_name or pseudoattribute_type HOSTNAME, REGION or ZONE, not \(other ?? "nothing")"
                )
            }
        }
        let predicate = try container.nestedContainer(keyedBy: PredicateKeys.self, forKey: .predicate)
        func text(_ key: PredicateKeys, _ field: ValueKeys) throws -> String? {
            guard predicate.contains(key) else { return nil }
            return try predicate.nestedContainer(keyedBy: ValueKeys.self, forKey: key).decode(
                String.self,
                forKey: field
            )
        }
        if predicate.contains(.exists) {
            self.predicate = .exists
        } else if predicate.contains(.notExists) {
            self.predicate = .notExists
        } else if let value = try text(.textEquals, .value) {
            self.predicate = .textEquals(value)
        } else if let value = try text(.textNotEquals, .value) {
            self.predicate = .textNotEquals(value)
        } else if let regex = try text(.textMatches, .regex) {
            self.predicate = .textMatches(regex)
        } else if let regex = try text(.textNotMatches, .regex) {
            self.predicate = .textNotMatches(regex)
        } else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: predicate.codingPath,
                    debugDescription:
                        "predicate needs one of exists, not_exists, text_equals, text_not_equals, text_matches, text_not_matches"
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var selector = container.nestedContainer(keyedBy: SelectorKeys.self, forKey: .selector)
        switch self.selector {
        case .hostname: try selector.encode("HOSTNAME", forKey: .pseudoattributeType)
        case .region: try selector.encode("REGION", forKey: .pseudoattributeType)
        case .zone: try selector.encode("ZONE", forKey: .pseudoattributeType)
        case .attribute(let name): try selector.encode(name, forKey: .attributeName)
        }
        var predicate = container.nestedContainer(keyedBy: PredicateKeys.self, forKey: .predicate)
        func text(_ key: PredicateKeys, _ field: ValueKeys, _ value: String) throws {
            var nested = predicate.nestedContainer(keyedBy: ValueKeys.self, forKey: key)
            try nested.encode(value, forKey: field)
        }
        switch self.predicate {
        case .exists: try predicate.encode(Empty(), forKey: .exists)
        case .notExists: try predicate.encode(Empty(), forKey: .notExists)
        case .textEquals(let value): try text(.textEquals, .value, value)
        case .textNotEquals(let value): try text(.textNotEquals, .value, value)
        case .textMatches(let regex): try text(.textMatches, .regex, regex)
        case .textNotMatches(let regex): try text(.textNotMatches, .regex, regex)
        }
    }
}
