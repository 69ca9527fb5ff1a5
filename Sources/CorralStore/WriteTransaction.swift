import CLMDB

/// A write transaction. Valid only inside the `StoreEnvironment.write` closure that received
/// it; it commits when the closure returns and aborts when it throws.
public struct WriteTransaction: ~Copyable {
    let txn: OpaquePointer
    let state: WriteState

    init(txn: OpaquePointer, state: WriteState) {
        self.txn = txn
        self.state = state
    }

    // MARK: - Writes

    /// Stores `value` under `key`, replacing any value; with `noOverwrite`, an existing key
    /// throws `StoreError` with code `.keyExists` instead.
    public func put(_ value: [UInt8], for key: [UInt8], in db: StoreDatabase, noOverwrite: Bool = false) throws {
        let flags = noOverwrite ? UInt32(MDB_NOOVERWRITE) : 0
        let rc = withMDBVal(key) { mdbKey in
            withMDBVal(value) { mdbValue in mdb_put(txn, db.dbi, &mdbKey, &mdbValue, flags) }
        }
        try state.check(rc, "mdb_put(\(db))")
    }

    /// Deletes `key`; returns whether it was present.
    @discardableResult
    public func delete(_ key: [UInt8], in db: StoreDatabase) throws -> Bool {
        let rc = withMDBVal(key) { mdbKey in mdb_del(txn, db.dbi, &mdbKey, nil) }
        if rc == MDB_NOTFOUND { return false }
        try state.check(rc, "mdb_del(\(db))")
        return true
    }

    /// Deletes every record with `lower <= key < upper` (either bound optional); returns how
    /// many were deleted.
    @discardableResult
    public func deleteRange(in db: StoreDatabase, from lower: [UInt8]? = nil, upTo upper: [UInt8]? = nil) throws -> Int {
        try withCursor(in: db) { cursor in
            var deleted = 0
            var onRecord = try lower.map { try cursor.seek(atOrAfter: $0) } ?? cursor.first()
            while onRecord {
                let inRange = try cursor.withCurrent { key, _ in
                    try upper.map { try TransactionOps.compare(txn, db, key, $0) < 0 } ?? true
                }
                guard inRange == true else { break }
                try cursor.deleteCurrent()
                deleted += 1
                // After a delete the cursor sits on the following record, if any.
                onRecord = try cursor.withCurrent { _, _ in true } ?? false
            }
            return deleted
        }
    }

    /// Deletes every record of `db`, keeping the database.
    public func removeAll(in db: StoreDatabase) throws {
        try state.check(mdb_drop(txn, db.dbi, 0), "mdb_drop(\(db))")
    }

    // MARK: - Reads (see the same methods of ReadTransaction)

    /// Calls `body` with a zero-copy view of the value for `key`, or nil when absent. The
    /// view is valid only inside `body`, and only until the next write.
    public func withValue<T>(
        _ key: [UInt8],
        in db: StoreDatabase,
        _ body: (UnsafeRawBufferPointer?) throws -> T
    ) throws -> T {
        try TransactionOps.withValue(txn, key, in: db, body)
    }

    /// A copy of the value for `key`, or nil when absent.
    public func get(_ key: [UInt8], in db: StoreDatabase) throws -> [UInt8]? {
        try withValue(key, in: db) { $0.map { Array($0) } }
    }

    /// The number of records in `db`.
    public func count(in db: StoreDatabase) throws -> Int {
        try TransactionOps.count(txn, in: db)
    }

    /// Calls `body` for each record with `lower <= key < upper`, in key order, until it
    /// returns false. `body` must not write.
    public func scan(
        in db: StoreDatabase,
        from lower: [UInt8]? = nil,
        upTo upper: [UInt8]? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try TransactionOps.scan(txn, in: db, from: lower, upTo: upper, body)
    }

    /// Runs `body` with a cursor over `db` that may also delete, closed when `body` returns.
    public func withCursor<T>(in db: StoreDatabase, _ body: (borrowing StoreCursor) throws -> T) throws -> T {
        try TransactionOps.withCursor(txn, in: db, state: state, body)
    }
}
