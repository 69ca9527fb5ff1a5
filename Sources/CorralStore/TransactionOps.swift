import CLMDB

/// The LMDB calls that read and write transactions share; each takes the raw transaction.
enum TransactionOps {
    // MARK: - Point reads

    static func withValue<T>(
        _ txn: OpaquePointer,
        _ key: [UInt8],
        in db: StoreDatabase,
        _ body: (UnsafeRawBufferPointer?) throws -> T
    ) throws -> T {
        var data = MDB_val()
        let rc = withMDBVal(key) { mdbKey in mdb_get(txn, db.dbi, &mdbKey, &data) }
        if rc == MDB_NOTFOUND { return try body(nil) }
        try check(rc, "mdb_get(\(db))")
        return try body(data.buffer)
    }

    // MARK: - Scans

    /// Calls `body` for each record with `lower <= key < upper` in key order (by the database's
    /// comparator) until it returns false.
    static func scan(
        _ txn: OpaquePointer,
        in db: StoreDatabase,
        from lower: [UInt8]?,
        upTo upper: [UInt8]?,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try withCursor(txn, in: db, state: nil) { cursor in
            var found = try lower.map { try cursor.seek(atOrAfter: $0) } ?? cursor.first()
            while found {
                let keepGoing = try cursor.withCurrent { key, value -> Bool in
                    if let upper, try compare(txn, db, key, upper) >= 0 { return false }
                    return try body(key, value)
                }
                guard keepGoing == true else { return }
                found = try cursor.next()
            }
        }
    }

    /// Compares a key with `bytes` using the database's own comparator.
    static func compare(
        _ txn: OpaquePointer,
        _ db: StoreDatabase,
        _ key: UnsafeRawBufferPointer,
        _ bytes: [UInt8]
    ) throws -> Int32 {
        var left = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        return withMDBVal(bytes) { right in mdb_cmp(txn, db.dbi, &left, &right) }
    }

    static func count(_ txn: OpaquePointer, in db: StoreDatabase) throws -> Int {
        var stat = MDB_stat()
        try check(mdb_stat(txn, db.dbi, &stat), "mdb_stat(\(db))")
        return stat.ms_entries
    }

    // MARK: - Cursors

    static func withCursor<T>(
        _ txn: OpaquePointer,
        in db: StoreDatabase,
        state: WriteState?,
        _ body: (borrowing StoreCursor) throws -> T
    ) throws -> T {
        var handle: OpaquePointer?
        try check(mdb_cursor_open(txn, db.dbi, &handle), "mdb_cursor_open(\(db))")
        guard let handle else {
            throw StoreError(code: .other(0), operation: "mdb_cursor_open(\(db))", message: "returned no cursor")
        }
        defer { mdb_cursor_close(handle) }
        return try body(StoreCursor(cursor: handle, db: db, state: state))
    }
}
