import CorralModel
import Foundation
import TOMLKit

extension Scenario {
    /// Reads a scenario file; its name is the file name without `.toml`.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(source: path, field: "file", "cannot read it: \(error.localizedDescription)")
        }
        return try parse(text, name: name, source: path)
    }

    /// Parses scenario TOML (`Chaos/README.md` shows every key); errors name the field.
    public static func parse(_ text: String, name: String, source: String = "scenario") throws(ScenarioError) -> Scenario {
        if let problem = TOMLAbortGuard.problem(in: text) {
            throw ScenarioError(source: source, field: "file", "is not valid TOML: \(problem)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ScenarioError(source: source, field: "file", "is not valid TOML: \(error.debugDescription)")
        } catch {
            throw ScenarioError(source: source, field: "file", "is not valid TOML: \(error)")
        }
        let reader = ScenarioReader(source: source)
        return try reader.scenario(table, name: name)
    }
}

/// Reads the fields of a scenario table one by one, so that each error names its key.
struct ScenarioReader {
    let source: String

    func fail(_ field: String, _ message: String) -> ScenarioError { ScenarioError(source: source, field: field, message) }

    func scenario(_ table: TOMLTable, name: String) throws(ScenarioError) -> Scenario {
        try onlyKeys(table, ["description", "masters", "network", "duration_seconds", "workload", "checks", "faults", "agents", "agent_failpoints", "tasks", "scheduling"], in: "")
        let masters = try int(table, "masters", in: "") ?? 3
        guard masters == 3 || masters == 5 else { throw fail("masters", "must be 3 or 5, not \(masters)") }
        let networks = Scenario.Network.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        let networkName = try string(table, "network", in: "") ?? Scenario.Network.auto.rawValue
        guard let network = Scenario.Network(rawValue: networkName) else {
            throw fail("network", "\"\(networkName)\" is not a network mode; use one of \(networks)")
        }
        guard let duration = try number(table, "duration_seconds", in: ""), duration > 0 else {
            throw fail("duration_seconds", "is required: how long the workload runs, in seconds (a number > 0)")
        }
        let workload = try self.workload(table["workload"], field: "workload")
        let bounds = try self.bounds(table["checks"], field: "checks")
        guard let steps = table["faults"]?.array else {
            throw fail("faults", "is required: a list of [[faults]] tables (kind, target, start, heal_after)")
        }
        var faults: [Scenario.FaultStep] = []
        for index in 0..<steps.count {
            guard let step = steps[index].table else { throw fail("faults[\(index)]", "must be a table ([[faults]])") }
            faults.append(try fault(step, field: "faults[\(index)]"))
        }
        var scenario = Scenario(
            name: name, description: try string(table, "description", in: "") ?? "", masters: masters, network: network,
            durationSeconds: duration, workload: workload, faults: faults, bounds: bounds)
        try agentsAndTasks(table, into: &scenario)
        if network == .loopback, let index = faults.firstIndex(where: { $0.kind.isPartition }) {
            throw fail(
                "faults[\(index)].kind",
                "\"\(faults[index].kind.rawValue)\" cuts network links, which needs network namespaces; remove network = \"loopback\"")
        }
        try checkLinkFaults(scenario)
        try checkReplace(scenario)
        guard scenario.longestSchedule + 1 <= duration else {
            throw fail(
                "duration_seconds",
                "\(duration) s is too short for the faults, which can take up to \(scenario.longestSchedule) s; "
                    + "make it at least \(scenario.longestSchedule + 1) s or narrow the faults' windows")
        }
        return scenario
    }

    private func workload(_ value: (any TOMLValueConvertible)?, field: String) throws(ScenarioError) -> Scenario.Workload {
        var workload = Scenario.Workload()
        guard let value else { return workload }
        guard let table = value.table else { throw fail(field, "must be a table [workload]") }
        try onlyKeys(table, ["kind", "clients", "keys", "weight_roles", "quota_roles", "request_timeout_seconds"], in: field)
        if let kind = try string(table, "kind", in: field), kind != "register" {
            throw fail("\(field).kind", "\"\(kind)\" is not a workload; the one workload so far is \"register\"")
        }
        if let clients = try int(table, "clients", in: field) {
            guard (1...64).contains(clients) else { throw fail("\(field).clients", "must be 1 to 64, not \(clients)") }
            workload.clients = clients
        }
        if let keys = try names(
            table, "keys", in: field, nonEmpty: true, list: "must be a non-empty list of strings",
            item: "must be a string of letters, digits, - or _")
        {
            workload.keys = keys
        }
        let role = "must be a role name of letters, digits, - or _"
        workload.weightRoles = try names(table, "weight_roles", in: field, list: "must be a list of role names", item: role) ?? []
        workload.quotaRoles = try names(table, "quota_roles", in: field, list: "must be a list of role names", item: role) ?? []
        if let timeout = try int(table, "request_timeout_seconds", in: field) {
            guard (1...60).contains(timeout) else { throw fail("\(field).request_timeout_seconds", "must be 1 to 60, not \(timeout)") }
            workload.requestTimeoutSeconds = timeout
        }
        return workload
    }

    /// A list of names of letters, digits, `-` and `_` (register keys, role names); nil when
    /// absent. `list` and `item` say what is wrong with the list or with one of its names.
    private func names(
        _ table: TOMLTable, _ key: String, in field: String, nonEmpty: Bool = false, list: String, item: String
    ) throws(ScenarioError) -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array, !nonEmpty || !array.isEmpty else { throw fail("\(field).\(key)", list) }
        var names: [String] = []
        for index in 0..<array.count {
            guard let name = array[index].string, !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            else { throw fail("\(field).\(key)[\(index)]", item) }
            names.append(name)
        }
        return names
    }

    private func bounds(_ value: (any TOMLValueConvertible)?, field: String) throws(ScenarioError) -> Scenario.Bounds {
        var bounds = Scenario.Bounds()
        guard let value else { return bounds }
        guard let table = value.table else { throw fail(field, "must be a table [checks]") }
        try onlyKeys(table, ["failover_target_seconds", "failover_limit_seconds", "convergence_seconds"], in: field)
        bounds.failoverTargetSeconds = try positive(table, "failover_target_seconds", in: field) ?? bounds.failoverTargetSeconds
        bounds.failoverLimitSeconds = try positive(table, "failover_limit_seconds", in: field) ?? bounds.failoverLimitSeconds
        bounds.convergenceSeconds = try positive(table, "convergence_seconds", in: field) ?? bounds.convergenceSeconds
        return bounds
    }

    private func fault(_ table: TOMLTable, field: String) throws(ScenarioError) -> Scenario.FaultStep {
        try onlyKeys(table, ["kind", "target", "start", "heal_after", "repeat", "gap", "toggle", "failpoints", "links", "jump", "alongside"], in: field)
        let kinds = Scenario.FaultKind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard let kindName = try string(table, "kind", in: field) else { throw fail("\(field).kind", "is required: one of \(kinds)") }
        guard let kind = Scenario.FaultKind(rawValue: kindName) else {
            throw fail("\(field).kind", "\"\(kindName)\" is not a fault; use one of \(kinds)")
        }
        let targets = Scenario.Target.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        guard let targetName = try string(table, "target", in: field) else { throw fail("\(field).target", "is required: one of \(targets)") }
        guard let target = Scenario.Target(rawValue: targetName) else {
            throw fail("\(field).target", "\"\(targetName)\" is not a target; use one of \(targets)")
        }
        guard let start = try window(table, "start", in: field) else {
            throw fail("\(field).start", "is required: seconds after the previous step, a number or [low, high]")
        }
        guard let healAfter = try window(table, "heal_after", in: field) else {
            throw fail("\(field).heal_after", "is required: how long the fault lasts, a number or [low, high] seconds")
        }
        let repeats = try int(table, "repeat", in: field) ?? 1
        guard (1...100).contains(repeats) else { throw fail("\(field).repeat", "must be 1 to 100, not \(repeats)") }
        let gap = try window(table, "gap", in: field) ?? Scenario.Window(1, 2)
        try partitionTarget(kind, target, field: field)
        let toggle = try window(table, "toggle", in: field) ?? Scenario.Window(0.2, 1)
        guard kind == .flap || table["toggle"] == nil else { throw fail("\(field).toggle", "only a \"flap\" fault takes toggle") }
        guard toggle.low >= 0.05 else { throw fail("\(field).toggle", "must be at least 0.05 s, not \(toggle.low)") }
        let failpoints = try failpoints(table, kind, field: field)
        let links = try links(table, kind, field: field)
        var step = Scenario.FaultStep(
            kind: kind, target: target, start: start, healAfter: healAfter, repeats: repeats, gap: gap, toggle: toggle,
            failpoints: failpoints, links: links)
        step.jumpSeconds = try jump(table, kind, field: field)
        if let alongside = table["alongside"] {
            guard let flag = alongside.bool else { throw fail("\(field).alongside", "must be true or false") }
            guard !flag || field != "faults[0]" else {
                throw fail("\(field).alongside", "the first step has no previous step to run alongside")
            }
            step.alongside = flag
        }
        return step
    }

    /// `clock-jump`'s `jump`: required there, refused elsewhere.
    private func jump(_ table: TOMLTable, _ kind: Scenario.FaultKind, field: String) throws(ScenarioError) -> Double? {
        let jump = try number(table, "jump", in: field)
        guard kind == .clockJump else {
            guard jump == nil else { throw fail("\(field).jump", "only a \"clock-jump\" fault takes jump") }
            return nil
        }
        guard let jump, jump != 0, abs(jump) <= 10 * 365 * 86_400 else {
            throw fail("\(field).jump", "is required for \"clock-jump\": seconds the wall clock steps, non-zero, at most ten years either way (e.g. 3600 or -600)")
        }
        return jump
    }

    /// Partitions aim at one master (the leader, a follower, a random one); `flap` picks its
    /// masters with the seed.
    private func partitionTarget(_ kind: Scenario.FaultKind, _ target: Scenario.Target, field: String) throws(ScenarioError) {
        // What an agent takes is checked with the agents (`agentsAndTasks`).
        guard target != .agent else { return }
        switch kind {
        case .kill, .stop, .pause: return
        case .replace: try replaceTarget(target, field: field)
        case .killInit:
            throw fail("\(field).target", "\"kill-init\" kills the inits of an agent's tasks; its target must be \"agent\", not \"\(target.rawValue)\"")
        case .lossy:
            guard [.leader, .follower, .random, .all].contains(target) else {
                throw fail("\(field).target", "\"lossy\" takes \"leader\", \"follower\", \"random\" or \"all\", not \"\(target.rawValue)\"")
            }
        case .clockJump:
            guard [.leader, .follower, .random, .all].contains(target) else {
                throw fail("\(field).target", "\"clock-jump\" takes \"leader\", \"follower\", \"random\" or \"all\", not \"\(target.rawValue)\"")
            }
        case .slowFsync, .diskFull:
            guard [.leader, .follower, .random].contains(target) else {
                throw fail(
                    "\(field).target",
                    "\"\(kind.rawValue)\" aims at one master; use \"leader\", \"follower\" or \"random\", not \"\(target.rawValue)\"")
            }
        case .flap:
            guard target == .random else {
                throw fail("\(field).target", "a \"flap\" fault picks its masters with the seed; its target must be \"random\"")
            }
        case .isolate, .split, .oneWay, .bridge:
            guard [.leader, .follower, .random].contains(target) else {
                throw fail(
                    "\(field).target",
                    "\"\(kind.rawValue)\" aims at one master; use \"leader\", \"follower\" or \"random\", not \"\(target.rawValue)\"")
            }
        }
    }

    // MARK: - Typed fields

    private func name(_ key: String, in parent: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    func onlyKeys(_ table: TOMLTable, _ keys: Set<String>, in parent: String) throws(ScenarioError) {
        if let unknown = table.keys.sorted().first(where: { !keys.contains($0) }) {
            throw fail(name(unknown, in: parent), "is not a scenario key here; known keys: \(keys.sorted().joined(separator: ", "))")
        }
    }

    func int(_ table: TOMLTable, _ key: String, in parent: String) throws(ScenarioError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let int = value.int else { throw fail(name(key, in: parent), "must be an integer") }
        return int
    }

    func number(_ table: TOMLTable, _ key: String, in parent: String) throws(ScenarioError) -> Double? {
        guard let value = table[key] else { return nil }
        guard let number = Self.number(value) else { throw fail(name(key, in: parent), "must be a number") }
        return number
    }

    func positive(_ table: TOMLTable, _ key: String, in parent: String) throws(ScenarioError) -> Double? {
        guard let value = try number(table, key, in: parent) else { return nil }
        guard value > 0 else { throw fail(name(key, in: parent), "must be more than 0 seconds, not \(value)") }
        return value
    }

    func string(_ table: TOMLTable, _ key: String, in parent: String) throws(ScenarioError) -> String? {
        guard let value = table[key] else { return nil }
        guard let string = value.string else { throw fail(name(key, in: parent), "must be a string") }
        return string
    }

    /// A number of seconds (`2`) or a window to draw from (`[1.5, 3]`).
    func window(_ table: TOMLTable, _ key: String, in parent: String) throws(ScenarioError) -> Scenario.Window? {
        guard let value = table[key] else { return nil }
        let field = name(key, in: parent)
        if let single = Self.number(value) {
            guard single >= 0 else { throw fail(field, "must be 0 or more seconds, not \(single)") }
            return Scenario.Window(single, single)
        }
        guard let array = value.array, array.count == 2, let low = Self.number(array[0]), let high = Self.number(array[1]) else {
            throw fail(field, "must be a number of seconds or a window [low, high]")
        }
        guard low >= 0, low <= high else { throw fail(field, "window [\(low), \(high)] must have 0 <= low <= high") }
        return Scenario.Window(low, high)
    }

    private static func number(_ value: any TOMLValueConvertible) -> Double? {
        value.double ?? value.int.map(Double.init)
    }
}
