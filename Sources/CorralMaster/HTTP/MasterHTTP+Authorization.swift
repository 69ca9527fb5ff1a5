import CorralModel
import CorralSecurity
import Foundation
import Hummingbird

/// The ACL checks of the scheduler and operator APIs, made before a call reaches the leader's
/// state machine, so a refused call changes nothing. Without `--acls` every check passes.
extension MasterHTTP {
    /// 403 for the first check `principal` fails, or nil when it passes them all.
    func authorize(_ checks: [(ACLAction, String?)], _ principal: String?) -> Response? {
        guard let acls = master.acls else { return nil }
        for (action, object) in checks where !acls.allows(action, principal: principal, object: object) {
            return forbidden(action, principal: principal, object: object)
        }
        return nil
    }

    /// A scheduler call's checks: SUBSCRIBE must name the authenticated principal in its
    /// `framework_info.principal` (as Mesos requires) and may register only in roles
    /// `register_frameworks` allows; other calls must come from the framework's principal.
    func schedulerRefusal(_ call: SchedulerCall, _ principal: String?) -> Response? {
        if let info = call.subscribe?.frameworkInfo {
            if master.authenticator != nil, info.principal != principal {
                return problem(.forbidden,
                    "the request authenticated as principal '\(principal ?? "")' but framework_info.principal is "
                        + (info.principal.map { "'\($0)'" } ?? "not set") + "; set framework_info.principal to '\(principal ?? "")'",
                    fields: ["action": "register_frameworks", "principal": principal ?? ""])
            }
            let roles = info.roles.isEmpty ? [info.role ?? "*"] : info.roles
            return authorize(roles.map { role -> (ACLAction, String?) in (.registerFrameworks, role) }, principal)
        }
        guard master.authenticator != nil, let id = call.frameworkID else { return nil }
        let owner = master.machine.withRegistry { $0.frameworks[id]?.info.principal }
        guard let owner, owner != principal else { return nil }
        return problem(.forbidden, "framework \(id) belongs to principal '\(owner)', not '\(principal ?? "")'",
            fields: ["action": "scheduler_call", "principal": principal ?? ""])
    }

    /// The ACL checks of an operator call (reads are filtered by `visible(to:)` instead).
    func operatorChecks(_ kind: OperatorCall.Kind, _ call: OperatorCall) -> [(ACLAction, String?)] {
        func each(_ action: ACLAction, _ objects: [String?]) -> [(ACLAction, String?)] { objects.map { (action, $0) } }
        func roles(_ resources: [Resource]?) -> [String?] { (resources ?? []).map { $0.reservationRole ?? "*" } }
        func reservers(_ resources: [Resource]?) -> [String?] { (resources ?? []).map { $0.refined.reservations.last?.principal } }
        switch kind {
        case .updateWeights: return each(.updateWeights, (call.updateWeights?.weightInfos ?? []).map { $0.role ?? "*" })
        case .updateQuota: return each(.updateQuotas, (call.updateQuota?.quotaConfigs ?? []).map { $0.role })
        case .removeQuota: return [(.updateQuotas, call.removeQuota?.role)]
        case .reserveResources: return each(.reserveResources, roles(call.reserveResources?.resources))
        case .unreserveResources: return each(.unreserveResources, reservers(call.unreserveResources?.resources))
        case .createVolumes, .growVolume:
            return each(.reserveResources, roles(call.createVolumes?.volumes ?? call.growVolume.map { [$0.volume] }))
        case .destroyVolumes, .shrinkVolume:
            return each(.unreserveResources, reservers(call.destroyVolumes?.volumes ?? call.shrinkVolume.map { [$0.volume] }))
        case .teardown:
            let id = call.teardown?.frameworkID
            return [(.teardownFrameworks, id.flatMap { frameworkPrincipal($0) })]
        case .killTask:
            let id = call.killTask?.frameworkID
            return [(.teardownFrameworks, id.flatMap { frameworkPrincipal($0) })]
        case .updateMaintenanceSchedule, .startMaintenance, .stopMaintenance, .drainAgent, .deactivateAgent, .reactivateAgent,
            .markAgentGone:
            return [(.updateMaintenance, nil)]
        case .setLoggingLevel, .getFlags, .getMetrics, .getLoggingLevel:
            return [(.getEndpoints, "/api/v1/\(kind.rawValue)")]
        case .subscribe:
            return [(.viewFrameworks, nil), (.viewTasks, nil), (.viewAgents, nil)]
        default: return []
        }
    }

    /// The principal of a framework, live or finished.
    func frameworkPrincipal(_ id: FrameworkID) -> String? {
        master.machine.withRegistry { ($0.frameworks[id] ?? $0.completedFrameworks[id])?.info.principal }
    }

    /// The leader's operator snapshot with what `principal` may not view taken out, as Mesos
    /// filters its state: frameworks by `view_frameworks` (object: the framework's user),
    /// tasks by `view_tasks` (the task's user), agents by `view_agents`.
    func visibleSnapshot(_ principal: String?) async throws(MasterError) -> OperatorSnapshot {
        var snapshot = try await master.leader.operatorSnapshot()
        guard let acls = master.acls else { return snapshot }
        var registry = snapshot.registry
        let frameworkUsers = registry.frameworks.merging(registry.completedFrameworks) { live, _ in live }.mapValues(\.info.user)
        func framework(_ id: FrameworkID) -> Bool { acls.allows(.viewFrameworks, principal: principal, object: frameworkUsers[id] ?? "") }
        func task(_ record: TaskRecord) -> Bool {
            let user = record.info.command?.user ?? frameworkUsers[record.key.frameworkID] ?? ""
            return framework(record.key.frameworkID) && acls.allows(.viewTasks, principal: principal, object: user)
        }
        registry.frameworks = registry.frameworks.filter { framework($0.key) }
        registry.completedFrameworks = registry.completedFrameworks.filter { framework($0.key) }
        for record in Array(registry.tasks.values) where !task(record) { _ = registry.tasks.removeValue(forKey: record.key) }
        registry.completedTasks = registry.completedTasks.filter { task($0.value) }
        if !acls.allows(.viewAgents, principal: principal) { registry.agents = [:] }
        snapshot.registry = registry
        snapshot.offers = snapshot.offers.filter { framework($0.frameworkID) }
        return snapshot
    }
}
