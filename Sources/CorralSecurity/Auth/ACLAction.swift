/// The actions an ACLs file can name, with the field naming their objects in a rule.
public enum ACLAction: String, Sendable, CaseIterable, Hashable {
    case registerFrameworks = "register_frameworks"
    case registerAgents = "register_agents"
    case runTasks = "run_tasks"
    case teardownFrameworks = "teardown_frameworks"
    case getEndpoints = "get_endpoints"
    case viewFrameworks = "view_frameworks"
    case viewTasks = "view_tasks"
    case viewAgents = "view_agents"
    case updateWeights = "update_weights"
    case updateQuotas = "update_quotas"
    case reserveResources = "reserve_resources"
    case unreserveResources = "unreserve_resources"
    case accessSandboxes = "access_sandboxes"
    case updateMembership = "update_membership"
    case updateMaintenance = "update_maintenance"

    /// The rule field holding the objects (nil: a rule names principals only).
    public var objectField: String? {
        switch self {
        case .registerFrameworks, .updateWeights, .updateQuotas, .reserveResources: "roles"
        case .runTasks, .viewFrameworks, .viewTasks, .accessSandboxes: "users"
        case .teardownFrameworks: "framework_principals"
        case .unreserveResources: "reserver_principals"
        case .getEndpoints: "paths"
        case .registerAgents, .viewAgents, .updateMembership, .updateMaintenance: nil
        }
    }
}
