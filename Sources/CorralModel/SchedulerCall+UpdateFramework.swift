extension SchedulerCall {
    /// `{"framework_info", "suppressed_roles"?, "offer_constraints"?}` of UPDATE_FRAMEWORK: a
    /// subscribed framework changes its FrameworkInfo (roles, capabilities, …) and its offer
    /// constraints without re-subscribing.
    public struct UpdateFramework: Codable, Hashable, Sendable {
        /// The new FrameworkInfo; its `id` must be the framework's ID.
        public var frameworkInfo: FrameworkInfo
        /// Roles to leave suppressed after the update.
        @Repeated public var suppressedRoles: [String]
        /// The new offer constraints; none: the framework has none any more.
        public var offerConstraints: OfferConstraints?
        enum CodingKeys: String, CodingKey {
            case frameworkInfo = "framework_info"
            case suppressedRoles = "suppressed_roles"
            case offerConstraints = "offer_constraints"
        }
        /// Makes the payload.
        public init(frameworkInfo: FrameworkInfo, suppressedRoles: [String] = [], offerConstraints: OfferConstraints? = nil) {
            self.frameworkInfo = frameworkInfo
            self.suppressedRoles = suppressedRoles
            self.offerConstraints = offerConstraints
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
