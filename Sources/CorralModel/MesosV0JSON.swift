/// Values as Mesos's v0 JSON endpoints (`/master/state`, the agent's `/state`) write them:
/// resources summed by name into `{"cpus": 1, "ports": "[31000-32000]"}`, attributes as
/// `{"rack": "r1"}`.
public enum MesosV0JSON {
    /// Resources summed by name; cpus, gpus, mem and disk are always present.
    /// `{"role": {"cpus": n, ...}}`: what is reserved (statically or dynamically) for each
    /// role, as the v0 `reserved_resources` fields have it.
    public static func reservedByRole(_ resources: Resources) -> JSONValue {
        let roles = Set(resources.compactMap(\.reservationRole)).sorted()
        return .object(Dictionary(uniqueKeysWithValues: roles.map { ($0, Self.resources(resources.reserved($0))) }))
    }

    public static func resources(_ resources: some Sequence<Resource>) -> JSONValue {
        var scalars: [String: Scalar] = ["cpus": .zero, "gpus": .zero, "mem": .zero, "disk": .zero]
        var ranges: [String: Ranges] = [:]
        var sets: [String: Value.ValueSet] = [:]
        for resource in resources {
            let name = resource.name
            switch resource.type {
            case .scalar: scalars[name] = scalars[name, default: .zero] + (resource.scalar ?? .zero)
            case .ranges: ranges[name] = ranges[name, default: Ranges()] + (resource.ranges ?? Ranges())
            case .set: sets[name] = sets[name, default: Value.ValueSet()] + (resource.set ?? Value.ValueSet())
            default: continue
            }
        }
        var fields: [String: JSONValue] = scalars.mapValues { .number($0.value) }
        for (name, value) in ranges { fields[name] = .string(text(value)) }
        for (name, value) in sets { fields[name] = .string("{" + value.item.joined(separator: ",") + "}") }
        return .object(fields)
    }

    /// Attributes by name: scalars as numbers, the others as text.
    public static func attributes(_ attributes: [Attribute]) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        for attribute in attributes {
            fields[attribute.name] = value(
                type: attribute.type, scalar: attribute.scalar, ranges: attribute.ranges, set: attribute.set,
                text: attribute.text?.value)
        }
        return .object(fields)
    }

    /// One value of the given type.
    public static func value(
        type: Value.ValueType, scalar: Scalar?, ranges: Ranges?, set: Value.ValueSet?, text value: String?
    ) -> JSONValue {
        switch type {
        case .scalar: .number((scalar ?? .zero).value)
        case .ranges: .string(text(ranges ?? Ranges()))
        case .set: .string("{" + (set?.item ?? []).joined(separator: ",") + "}")
        default: .string(value ?? "")
        }
    }

    /// `[31000-31005, 31010-32000]`, as Mesos prints ranges.
    public static func text(_ ranges: Ranges) -> String {
        "[" + ranges.normalized.range.map { "\($0.begin)-\($0.end)" }.joined(separator: ", ") + "]"
    }
}
