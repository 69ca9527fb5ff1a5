extension Offer {
    /// `Offer.Operation`: what a framework does with accepted offers (launch, reserve, …).
    ///
    /// The disk operations (CREATE_DISK, DESTROY_DISK) decode by `type` only; their payloads
    /// are dropped.
    public struct Operation: Codable, Hashable, Sendable {
        /// Which operation.
        public var type: Kind?
        /// An ID, when the framework wants operation feedback.
        public var id: OperationID?
        /// `{"task_infos": [...]}`.
        public var launch: Launch?
        /// `{"executor", "task_group"}`.
        public var launchGroup: LaunchGroup?
        /// `{"resources", "source"?}`.
        public var reserve: ResourceList?
        /// `{"resources"}`.
        public var unreserve: ResourceList?
        /// `{"volumes"}`.
        public var create: VolumeList?
        /// `{"volumes"}`.
        public var destroy: VolumeList?
        /// `{"volume", "addition"}`.
        public var growVolume: GrowVolume?
        /// `{"volume", "subtract"}`.
        public var shrinkVolume: ShrinkVolume?

        enum CodingKeys: String, CodingKey {
            case type, id, launch
            case launchGroup = "launch_group"
            case reserve, unreserve, create, destroy
            case growVolume = "grow_volume"
            case shrinkVolume = "shrink_volume"
        }

        /// Makes an operation; set the payload that matches `type`.
        public init(type: Kind?, id: OperationID? = nil) {
            self.type = type
            self.id = id
        }

        /// A LAUNCH of tasks.
        public static func launch(_ tasks: [TaskInfo]) -> Operation {
            var operation = Operation(type: .launch)
            operation.launch = Launch(taskInfos: tasks)
            return operation
        }

        /// A LAUNCH_GROUP of tasks under one executor.
        public static func launchGroup(executor: ExecutorInfo, tasks: [TaskInfo]) -> Operation {
            var operation = Operation(type: .launchGroup)
            operation.launchGroup = LaunchGroup(executor: executor, taskGroup: TaskGroupInfo(tasks: tasks))
            return operation
        }

        /// `{"task_infos": [...]}`.
        public struct Launch: Codable, Hashable, Sendable {
            /// The tasks.
            @Repeated public var taskInfos: [TaskInfo]
            enum CodingKeys: String, CodingKey { case taskInfos = "task_infos" }
            /// Makes a launch.
            public init(taskInfos: [TaskInfo]) { self.taskInfos = taskInfos }
        }

        /// `{"executor", "task_group"}`.
        public struct LaunchGroup: Codable, Hashable, Sendable {
            /// The executor that runs the group.
            public var executor: ExecutorInfo
            /// The tasks.
            public var taskGroup: TaskGroupInfo
            enum CodingKeys: String, CodingKey {
                case executor
                case taskGroup = "task_group"
            }
            /// Makes a group launch.
            public init(executor: ExecutorInfo, taskGroup: TaskGroupInfo) {
                self.executor = executor
                self.taskGroup = taskGroup
            }
        }

        /// `{"resources", "source"?}` of RESERVE and UNRESERVE.
        public struct ResourceList: Codable, Hashable, Sendable {
            /// The resources to (un)reserve, with their new reservation stack.
            @Repeated public var resources: [Resource]
            /// RESERVE only: the resources before the reservation.
            @Repeated public var source: [Resource]
            /// Makes a list.
            public init(resources: [Resource], source: [Resource] = []) {
                self.resources = resources
                self.source = source
            }
        }

        /// `{"volumes"}` of CREATE and DESTROY.
        public struct VolumeList: Codable, Hashable, Sendable {
            /// The persistent volumes.
            @Repeated public var volumes: [Resource]
            /// Makes a list.
            public init(volumes: [Resource]) { self.volumes = volumes }
        }

        /// `{"volume", "addition"}` of GROW_VOLUME: disk of the volume's reservation to add to it.
        public struct GrowVolume: Codable, Hashable, Sendable {
            /// The volume, as offered.
            public var volume: Resource
            /// The disk to add (same reservation, no volume).
            public var addition: Resource
            /// Makes a growth.
            public init(volume: Resource, addition: Resource) {
                self.volume = volume
                self.addition = addition
            }
        }

        /// `{"volume", "subtract"}` of SHRINK_VOLUME: how much disk the volume gives back.
        public struct ShrinkVolume: Codable, Hashable, Sendable {
            /// The volume, as offered.
            public var volume: Resource
            /// The amount of disk to take off it.
            public var subtract: Scalar
            /// Makes a shrink.
            public init(volume: Resource, subtract: Scalar) {
                self.volume = volume
                self.subtract = subtract
            }
        }

        /// `Offer.Operation.Type`.
        public struct Kind: OpenEnum {
            /// The proto name.
            public let rawValue: String
            /// Wraps a proto name.
            public init(rawValue: String) { self.rawValue = rawValue }
            /// Unset.
            public static let unknown: Kind = "UNKNOWN"
            /// Launch tasks.
            public static let launch: Kind = "LAUNCH"
            /// Launch a task group.
            public static let launchGroup: Kind = "LAUNCH_GROUP"
            /// Reserve resources.
            public static let reserve: Kind = "RESERVE"
            /// Unreserve resources.
            public static let unreserve: Kind = "UNRESERVE"
            /// Create persistent volumes.
            public static let create: Kind = "CREATE"
            /// Destroy persistent volumes.
            public static let destroy: Kind = "DESTROY"
            /// Grow a volume.
            public static let growVolume: Kind = "GROW_VOLUME"
            /// Shrink a volume.
            public static let shrinkVolume: Kind = "SHRINK_VOLUME"
            /// Create a disk from a RAW disk.
            public static let createDisk: Kind = "CREATE_DISK"
            /// Destroy a disk back to RAW.
            public static let destroyDisk: Kind = "DESTROY_DISK"
            /// Every name this build knows.
            public static let known: [Kind] = [
                .unknown, .launch, .launchGroup, .reserve, .unreserve, .create, .destroy,
                .growVolume, .shrinkVolume, .createDisk, .destroyDisk,
            ]
        }
    }
}
