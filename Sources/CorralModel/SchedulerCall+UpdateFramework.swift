extension SchedulerCall {
    /// `{"framework_info", "suppressed_roles"?}` of UPDATE_FRAMEWORK: a subscribed framework
    /// changes its FrameworkInfo (roles, capabilities, …) without re-subscribing.
    /// `offer_constraints` is not modelled and is dropped when decoding.
    public struct UpdateFramework: Codable, Hashable, Sendable {
        /// The new FrameworkInfo; its `id` must be the framework's ID.
        public var frameworkInfo: FrameworkInfo
        /// Roles to leave suppressed after the update.
        @Repeated public var suppressedRoles: [String]
        enum CodingKeys: String, CodingKey {
            case frameworkInfo = "framework_info"
            case suppressedRoles = "suppressed_roles"
        }
        /// Makes the payload.
        public init(frameworkInfo: FrameworkInfo, suppressedRoles: [String] = []) {
            self.frameworkInfo = frameworkInfo
            self.suppressedRoles = suppressedRoles
        }
    }

    /// An UPDATE_FRAMEWORK call; `info.id` names the framework.
    public static func updateFramework(_ info: FrameworkInfo, suppressedRoles: [String] = []) -> SchedulerCall
    {
        var call = SchedulerCall(type: .updateFramework, frameworkID: info.id)
        call.updateFramework = UpdateFramework(frameworkInfo: info, suppressedRoles: suppressedRoles)
        return call
    }
}
