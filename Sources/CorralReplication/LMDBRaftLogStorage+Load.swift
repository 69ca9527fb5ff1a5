import CorralRaft
import CorralStore

// MARK: - Loading

extension LMDBRaftLogStorage {
    func loadHardState(_ txn: borrowing ReadTransaction) throws -> HardState {
        guard let bytes = try txn.get(StateKey.hardState, in: state) else { return HardState() }
        return try HardState(decoding: bytes)
    }

    func loadSnapshot(_ txn: borrowing ReadTransaction) throws -> Snapshot? {
        guard let metadataBytes = try txn.get(StateKey.snapshotMetadata, in: state) else { return nil }
        let metadata = try SnapshotMetadata(decoding: metadataBytes)
        guard let data = try txn.get(StateKey.snapshotData, in: state) else {
            throw ReplicationError(
                code: .corrupted,
                operation: "LMDBRaftLogStorage.load",
                message: "snapshot metadata at index \(metadata.index) has no snapshot data"
            )
        }
        return Snapshot(metadata: metadata, data: data)
    }

    func loadEntries(_ txn: borrowing ReadTransaction) throws -> [Entry] {
        var entries: [Entry] = []
        entries.reserveCapacity(try txn.count(in: log))
        var failure: (any Error)?
        try txn.scan(in: log) { key, value in
            do {
                let entry = try Entry(decoding: Array(value))
                guard BigEndianKey.decode(key) == entry.index else {
                    throw ReplicationError(
                        code: .corrupted,
                        operation: "LMDBRaftLogStorage.load",
                        message: "entry \(entry.index) is stored under key \(Array(key))"
                    )
                }
                entries.append(entry)
                return true
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return entries
    }
}
