import CLMDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A position in a database, for ordered scans. Valid only inside the closure that received it.
///
/// Positioning calls return whether they landed on a record. `withCurrent` gives zero-copy
/// views of the record under the cursor; they stay valid until the cursor moves or the
/// transaction writes.
public struct StoreCursor: ~Copyable {
    let cursor: OpaquePointer
    let db: StoreDatabase
    /// Present when the cursor belongs to a write transaction.
    let state: WriteState?

    init(cursor: OpaquePointer, db: StoreDatabase, state: WriteState?) {
        self.cursor = cursor
        self.db = db
        self.state = state
    }

    // MARK: - Positioning

    /// Moves to the first record; false when the database is empty.
    public func first() throws -> Bool { try move(MDB_FIRST) }

    /// Moves to the last record; false when the database is empty.
    public func last() throws -> Bool { try move(MDB_LAST) }

    /// Moves to the next record; false past the end.
    public func next() throws -> Bool { try move(MDB_NEXT) }

    /// Moves to the previous record; false before the start.
    public func previous() throws -> Bool { try move(MDB_PREV) }

    /// Moves to the first record whose key is at or after `key`; false when there is none.
    public func seek(atOrAfter key: [UInt8]) throws -> Bool {
        try withMDBVal(key) { mdbKey in
            var data = MDB_val()
            return try found(mdb_cursor_get(cursor, &mdbKey, &data, MDB_SET_RANGE))
        }
    }

    /// Moves to the record with exactly `key`; false when there is none.
    public func seek(exactly key: [UInt8]) throws -> Bool {
        try withMDBVal(key) { mdbKey in
            var data = MDB_val()
            return try found(mdb_cursor_get(cursor, &mdbKey, &data, MDB_SET_KEY))
        }
    }

    // MARK: - Reading and deleting

    /// Calls `body` with zero-copy views of the current key and value; nil when the cursor
    /// is not on a record.
    public func withCurrent<T>(
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> T
    ) throws -> T? {
        var key = MDB_val()
        var data = MDB_val()
        let rc = mdb_cursor_get(cursor, &key, &data, MDB_GET_CURRENT)
        // A cursor that was never positioned answers EINVAL: it is on no record.
        guard rc != EINVAL, try found(rc) else { return nil }
        return try body(key.buffer, data.buffer)
    }

    /// A copy of the current record; nil when the cursor is not on a record.
    public func current() throws -> StoreRecord? {
        try withCurrent { key, value in StoreRecord(key: Array(key), value: Array(value)) }
    }

    /// Deletes the current record (write transactions only); the cursor then sits on the
    /// record that followed it.
    public func deleteCurrent() throws {
        let rc = mdb_cursor_del(cursor, 0)
        if let state {
            try state.check(rc, "mdb_cursor_del(\(db))")
        } else {
            try check(rc, "mdb_cursor_del(\(db))")
        }
    }

    // MARK: - Helpers

    private func move(_ op: MDB_cursor_op) throws -> Bool {
        var key = MDB_val()
        var data = MDB_val()
        return try found(mdb_cursor_get(cursor, &key, &data, op))
    }

    private func found(_ rc: Int32) throws -> Bool {
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_cursor_get(\(db))")
        return true
    }
}
