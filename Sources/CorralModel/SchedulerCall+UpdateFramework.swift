extension SchedulerCall {
    /// `Call.UpdateFramework`: a new FrameworkInfo (same ID) and suppressed roles.
    public struct UpdateFramework: Codable, Hashable, Sendable {
        /// The new info.
        public var frameworkInfo: FrameworkInfo
        /// Roles to stop offers for.
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
}
