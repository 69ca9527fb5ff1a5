/// Where a snapshot stands in the log and the membership at that point.
public struct SnapshotMetadata: Sendable, Hashable {
    public var index: UInt64
    public var term: UInt64
    public var membership: Membership

    public init(index: UInt64, term: UInt64, membership: Membership) {
        self.index = index
        self.term = term
        self.membership = membership
    }
}

/// A state machine snapshot taken by the application at an applied index.
public struct Snapshot: Sendable, Hashable {
    public var metadata: SnapshotMetadata
    public var data: [UInt8]

    public init(metadata: SnapshotMetadata, data: [UInt8]) {
        self.metadata = metadata
        self.data = data
    }
}
