import CorralRaft
import CorralStore

/// A replicated key-value map in LMDB: the state machine `corral master` runs until the
/// registry lands, and the one the replication benchmark writes to.
///
/// The applied index lives in the same environment and is written in the same transaction
/// as the keys, so the two never disagree: a restart, even after a power loss, applies
/// exactly the entries after the stored index.
public final class KeyValueStateMachine: ReplicatedStateMachine {
    public enum Command: Sendable, Hashable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])

        public var encoded: [UInt8] {
            var writer = ByteWriter()
            switch self {
            case .put(let key, let value):
                writer.write(byte: 1)
                writer.write(bytes: key)
                writer.write(bytes: value)
            case .delete(let key):
                writer.write(byte: 2)
                writer.write(bytes: key)
            }
            return writer.bytes
        }

        public init(decoding bytes: [UInt8]) throws {
            var reader = ByteReader(bytes, operation: "KeyValueStateMachine.Command")
            switch try reader.readByte("op") {
            case 1: self = .put(key: try reader.readBytes("key"), value: try reader.readBytes("value"))
            case 2: self = .delete(key: try reader.readBytes("key"))
            case let op: throw reader.error(.unknownTag, "unknown key-value operation \(op)")
            }
        }
    }

    public let environment: StoreEnvironment
    /// Called after each applied write commits, with the key and the new value (nil when deleted).
    private let onChange: (@Sendable (_ key: [UInt8], _ value: [UInt8]?) -> Void)?
    private let values: StoreDatabase
    private let meta: StoreDatabase
    private static let appliedKey = Array("applied-index".utf8)

    public init(
        environment: StoreEnvironment,
        onChange: (@Sendable (_ key: [UInt8], _ value: [UInt8]?) -> Void)? = nil
    ) throws {
        self.environment = environment
        self.onChange = onChange
        values = try environment.openDatabase("kv")
        meta = try environment.openDatabase("kv-meta")
    }

    public func appliedIndex() throws -> UInt64 {
        try environment.read { txn in
            try txn.get(Self.appliedKey, in: meta).flatMap(BigEndianKey.decode) ?? 0
        }
    }

    /// The value stored under `key`, if any (a local read; make it linearizable with
    /// `RaftServer.linearizableRead` first).
    public func value(for key: [UInt8]) throws -> [UInt8]? {
        try environment.read { txn in try txn.get(key, in: values) }
    }

    public func count() throws -> Int {
        try environment.read { txn in try txn.count(in: values) }
    }

    public func apply(_ entries: [Entry]) throws -> [UInt64: [UInt8]] {
        guard let last = entries.last else { return [:] }
        var changes: [([UInt8], [UInt8]?)] = []
        // `.atomicOnly`: a power loss may undo this batch (keys and applied index together),
        // never damage the store, and the durable log applies it again; `sync()` runs before
        // the log is compacted behind the state. The closure may run more than once (when the
        // map grows), so it starts from scratch each time.
        let results = try environment.write(durability: .atomicOnly) { txn in
            changes = []
            var results: [UInt64: [UInt8]] = [:]
            for entry in entries {
                guard case .command(let bytes) = entry.payload else { continue }
                // A command that does not decode is applied as a no-op on every replica alike.
                switch try? Command(decoding: bytes) {
                case .put(let key, let value)?:
                    try txn.put(value, for: key, in: values)
                    results[entry.index] = []
                    if onChange != nil { changes.append((key, value)) }
                case .delete(let key)?:
                    _ = try txn.delete(key, in: values)
                    results[entry.index] = []
                    if onChange != nil { changes.append((key, nil)) }
                case nil:
                    results[entry.index] = Array("malformed command".utf8)
                }
            }
            try txn.put(BigEndianKey.encode(last.index), for: Self.appliedKey, in: meta)
            return results
        }
        if let onChange {
            for (key, value) in changes { onChange(key, value) }
        }
        return results
    }

    /// Every key and value under `prefix`, in key order.
    public func entries(withPrefix prefix: [UInt8]) throws -> [([UInt8], [UInt8])] {
        try environment.read { txn in try txn.records(in: values, withPrefix: prefix).map { ($0.key, $0.value) } }
    }

    public func sync() throws {
        try environment.sync()
    }

    public func snapshot() throws -> (index: UInt64, data: [UInt8]) {
        try environment.sync()
        return try environment.read { txn in
            let applied = try txn.get(Self.appliedKey, in: meta).flatMap(BigEndianKey.decode) ?? 0
            return (applied, try DatabaseSnapshot.write(applied: applied, databases: [values], from: txn))
        }
    }

    public func restore(_ snapshot: Snapshot) throws {
        let restored = try DatabaseSnapshot.read(snapshot.data, databases: 1, operation: "KeyValueStateMachine.restore")
        try DatabaseSnapshot.replace(
            [values], with: restored, applied: snapshot.metadata.index, appliedKey: Self.appliedKey, meta: meta,
            in: environment)
        if let onChange {
            for record in restored { onChange(record.key, record.value) }
        }
    }
}
