import CorralRaft
import CorralStore

/// The snapshot format of state machines that keep their state in LMDB databases: the applied
/// index, then every record of each database in key order, tagged with the database's
/// position (1, 2, …), then a 0.
public enum DatabaseSnapshot {
    /// One record read back from a snapshot.
    public struct Record: Sendable {
        /// The position of its database in the list given to `write` (0-based).
        public var database: Int
        public var key: [UInt8]
        public var value: [UInt8]
    }

    /// Serializes `databases` as of `txn`, with `applied` in front.
    public static func write(
        applied: UInt64, databases: [StoreDatabase], from txn: borrowing ReadTransaction
    ) throws -> [UInt8] {
        var writer = ByteWriter()
        writer.write(varint: applied)
        for (position, db) in databases.enumerated() {
            try txn.scan(in: db) { key, value in
                writer.write(byte: UInt8(position + 1))
                writer.write(bytes: Array(key))
                writer.write(bytes: Array(value))
                return true
            }
        }
        writer.write(byte: 0)
        return writer.bytes
    }

    /// The records of a snapshot made by `write` for `count` databases.
    public static func read(_ data: [UInt8], databases count: Int, operation: String) throws -> [Record] {
        var reader = ByteReader(data, operation: operation)
        _ = try reader.readVarint("applied")
        var records: [Record] = []
        while case let marker = try reader.readByte("marker"), marker != 0 {
            guard Int(marker) <= count else { throw reader.error(.unknownTag, "snapshot names database \(marker) of \(count)") }
            records.append(Record(database: Int(marker) - 1, key: try reader.readBytes("key"), value: try reader.readBytes("value")))
        }
        return records
    }

    /// Replaces the contents of `databases` with `records` in one transaction, together with
    /// the applied index stored under `appliedKey` in `meta`.
    public static func replace(
        _ databases: [StoreDatabase], with records: [Record], applied: UInt64, appliedKey: [UInt8],
        meta: StoreDatabase, in environment: StoreEnvironment
    ) throws {
        try environment.write { txn in
            for db in databases { try txn.removeAll(in: db) }
            for record in records { try txn.put(record.value, for: record.key, in: databases[record.database]) }
            try txn.put(BigEndianKey.encode(applied), for: appliedKey, in: meta)
        }
    }
}
