/// A cluster command's failure, in words a person can act on.
struct ClusterError: Error, CustomStringConvertible {
    /// What went wrong, as far as a caller decides what to do next.
    enum Kind: Sendable { case noMaster, noLeader, other }

    var kind: Kind
    var description: String

    init(_ description: String, kind: Kind = .other) {
        self.kind = kind
        self.description = description
    }
}
