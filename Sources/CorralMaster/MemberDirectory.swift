import CorralReplication
import Synchronization

/// Where every master listens. Starts from the config's peers; masters added later are
/// announced through the replicated key-value map under `corral/members/<id>`, so every
/// replica learns their addresses from the log.
public final class MemberDirectory: Sendable {
    public static let keyPrefix = Array("corral/members/".utf8)
    private let members: Mutex<[UInt64: MasterConfig.Peer]>
    private let onChange: @Sendable ([UInt64: MasterConfig.Peer]) -> Void

    public init(initial: [MasterConfig.Peer], onChange: @escaping @Sendable ([UInt64: MasterConfig.Peer]) -> Void) {
        members = Mutex(Dictionary(uniqueKeysWithValues: initial.map { ($0.id, $0) }))
        self.onChange = onChange
    }

    public var all: [UInt64: MasterConfig.Peer] { members.withLock { $0 } }

    public func peer(_ id: UInt64) -> MasterConfig.Peer? { members.withLock { $0[id] } }

    /// The key that retires a removed member's id in the replicated map: an id once removed
    /// is never added again (`/quorum/add-learner` refuses it).
    public static func removedKey(_ id: UInt64) -> [UInt8] {
        Array("corral/removed-members/\(id)".utf8)
    }

    /// The key and value that announce `peer` in the replicated map.
    public static func announcement(for peer: MasterConfig.Peer) -> (key: [UInt8], value: [UInt8]) {
        (keyPrefix + Array(String(peer.id).utf8), Array("\(peer.raft) \(peer.http)".utf8))
    }

    /// Applies a change of the replicated map; ignores keys outside the members prefix.
    public func observe(key: [UInt8], value: [UInt8]?) {
        guard key.starts(with: Self.keyPrefix),
            let id = UInt64(String(decoding: key.dropFirst(Self.keyPrefix.count), as: UTF8.self))
        else { return }
        let snapshot = members.withLock { members -> [UInt64: MasterConfig.Peer] in
            if let value {
                let parts = String(decoding: value, as: UTF8.self).split(separator: " ").map(String.init)
                if parts.count == 2, let raft = PeerAddress(parts[0]), let http = PeerAddress(parts[1]) {
                    members[id] = MasterConfig.Peer(id: id, raft: raft, http: http)
                }
            } else {
                members[id] = nil
            }
            return members
        }
        onChange(snapshot)
    }
}
