/// A network partition between masters, as the set of directed links whose packets are
/// dropped: `Link(from: 1, to: 2)` drops what master 1 sends to master 2. The shapes the
/// scenarios use are built by the static functions; `NamespaceNetwork` turns a partition
/// into DROP rules in each master's own network namespace.
public struct Partition: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Packets from `from` to `to` are dropped.
    public struct Link: Sendable, Hashable, Codable, Comparable {
        public var from: UInt64
        public var to: UInt64

        public init(from: UInt64, to: UInt64) {
            self.from = from
            self.to = to
        }

        public static func < (lhs: Link, rhs: Link) -> Bool { (lhs.from, lhs.to) < (rhs.from, rhs.to) }
    }

    /// Every dropped link.
    public var cut: Set<Link>

    public init(cut: Set<Link> = []) { self.cut = cut }

    /// No link cut: the healed network.
    public static let none = Partition()

    /// `side` cannot reach the rest of `members` and the rest cannot reach it, both ways.
    public static func split(_ side: [UInt64], from members: [UInt64]) -> Partition {
        let inside = Set(side)
        return between(side, members.filter { !inside.contains($0) })
    }

    /// One master cut off from every other, both ways.
    public static func isolate(_ node: UInt64, from members: [UInt64]) -> Partition { split([node], from: members) }

    /// What `node` sends to every other master is dropped; what they send to it arrives.
    public static func oneWay(from node: UInt64, members: [UInt64]) -> Partition {
        Partition(cut: Set(members.filter { $0 != node }.map { Link(from: node, to: $0) }))
    }

    /// `left` and `right` cannot see each other, both ways; the masters in neither (the
    /// bridge) see both sides.
    public static func bridge(left: [UInt64], right: [UInt64]) -> Partition { between(left, right) }

    /// Every link between `left` and `right` cut, both ways.
    private static func between(_ left: [UInt64], _ right: [UInt64]) -> Partition {
        Partition(cut: Set(left.flatMap { a in right.flatMap { b in [Link(from: a, to: b), Link(from: b, to: a)] } }))
    }

    /// The masters whose packets `node` drops on the way in.
    public func dropsFrom(_ node: UInt64) -> [UInt64] { cut.filter { $0.to == node }.map(\.from).sorted() }

    /// The masters to which `node` drops its packets on the way out.
    public func dropsTo(_ node: UInt64) -> [UInt64] { cut.filter { $0.from == node }.map(\.to).sorted() }

    /// Whether a packet from `a` reaches `b`.
    public func reaches(_ a: UInt64, _ b: UInt64) -> Bool { a == b || !cut.contains(Link(from: a, to: b)) }

    /// The masters among `members` that cannot exchange packets both ways with a majority
    /// (themselves included): a leader among them cannot keep or win office.
    public func stranded(_ members: [UInt64]) -> [UInt64] {
        members.filter { node in
            members.filter { reaches(node, $0) && reaches($0, node) }.count <= members.count / 2
        }.sorted()
    }

    /// `m1->m2 m1->m3`, or `none`.
    public var description: String {
        cut.isEmpty ? "none" : cut.sorted().map { "m\($0.from)->m\($0.to)" }.joined(separator: " ")
    }
}

extension Partition {
    /// The partition a fault of `kind` cuts when aimed at `node`: `grouping` orders the other
    /// masters (indices into them in id order) for `split` (the first join `node`'s minority)
    /// and `bridge` (the first half on one side, the rest on the other).
    public static func shaped(_ kind: Scenario.FaultKind, aimedAt node: UInt64, grouping: [Int], members: [UInt64]) -> Partition {
        let others = members.filter { $0 != node }.sorted()
        let ordered = Set(grouping) == Set(others.indices) && grouping.count == others.count ? grouping.map { others[$0] } : others
        switch kind {
        case .isolate: return isolate(node, from: members)
        case .split: return split([node] + ordered.prefix(members.count / 2 - 1), from: members)
        case .oneWay: return oneWay(from: node, members: members)
        case .bridge:
            let half = ordered.count / 2
            return bridge(left: Array(ordered.prefix(half)), right: Array(ordered.dropFirst(half)))
        case .kill, .stop, .pause, .flap, .slowFsync, .diskFull, .lossy, .clockJump, .replace, .killInit: return .none
        }
    }
}
