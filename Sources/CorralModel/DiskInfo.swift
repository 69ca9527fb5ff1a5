extension Resource {
    /// `Resource.DiskInfo`: a persistent volume and where the disk comes from.
    public struct DiskInfo: Codable, Hashable, Sendable {
        /// Set when the disk is a persistent volume.
        public var persistence: Persistence?
        /// Where the volume is mounted in the container.
        public var volume: Volume?
        /// Where the disk comes from (a path, a mount, a raw or block device).
        public var source: Source?

        /// Makes disk info.
        public init(persistence: Persistence? = nil, volume: Volume? = nil, source: Source? = nil) {
            self.persistence = persistence
            self.volume = volume
            self.source = source
        }

        /// `{"id", "principal"}` of a persistent volume.
        public struct Persistence: Codable, Hashable, Sendable {
            /// The volume's ID, unique per role on the agent.
            public var id: String
            /// Who created it.
            public var principal: String?
            /// Makes persistence info.
            public init(id: String, principal: String? = nil) {
                self.id = id
                self.principal = principal
            }
        }

        /// `DiskInfo.Source`: a `PATH`, `MOUNT`, `BLOCK` or `RAW` disk.
        public struct Source: Codable, Hashable, Sendable {
            /// Which kind of disk.
            public var type: Kind
            /// `{"root"}` of a `PATH` disk.
            public var path: Root?
            /// `{"root"}` of a `MOUNT` disk.
            public var mount: Root?
            /// The vendor of a provider's disk.
            public var vendor: String?
            /// The provider's ID of the disk.
            public var id: String?
            /// The provider's metadata.
            public var metadata: Labels?
            /// The storage profile.
            public var profile: String?

            /// Makes a disk source.
            public init(type: Kind, path: Root? = nil, mount: Root? = nil, id: String? = nil) {
                self.type = type
                self.path = path
                self.mount = mount
                self.id = id
            }

            /// `{"root": "..."}`.
            public struct Root: Codable, Hashable, Sendable {
                /// The directory.
                public var root: String?
                /// Makes a root.
                public init(root: String?) { self.root = root }
            }

            /// `DiskInfo.Source.Type`.
            public struct Kind: OpenEnum {
                /// The proto name.
                public let rawValue: String
                /// Wraps a proto name.
                public init(rawValue: String) { self.rawValue = rawValue }
                /// Unset.
                public static let unknown: Kind = "UNKNOWN"
                /// A directory on a shared filesystem.
                public static let path: Kind = "PATH"
                /// A whole mounted filesystem, used exclusively.
                public static let mount: Kind = "MOUNT"
                /// A block device, used exclusively.
                public static let block: Kind = "BLOCK"
                /// A raw disk, to be turned into a MOUNT or BLOCK disk.
                public static let raw: Kind = "RAW"
                /// Every name this build knows.
                public static let known: [Kind] = [.unknown, .path, .mount, .block, .raw]
            }
        }
    }
}
