/// A read-only snapshot of the environment. Valid only inside the `StoreEnvironment.read`
/// closure that received it; it cannot be copied out of it or sent to another thread.
public struct ReadTransaction: ~Copyable {
    let txn: OpaquePointer

    init(txn: OpaquePointer) {
        self.txn = txn
    }

    // MARK: - Point reads

    /// Calls `body` with a zero-copy view of the value for `key`, or nil when absent. The
    /// view is valid only inside `body`.
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

    /// Whether `key` is present.
    public func contains(_ key: [UInt8], in db: StoreDatabase) throws -> Bool {
        try withValue(key, in: db) { $0 != nil }
    }

    /// The number of records in `db`.
    public func count(in db: StoreDatabase) throws -> Int {
        try TransactionOps.count(txn, in: db)
    }

    // MARK: - Ordered scans

    /// Calls `body` with zero-copy views of each record with `lower <= key < upper` (either
    /// bound optional), in key order, until it returns false.
    public func scan(
        in db: StoreDatabase,
        from lower: [UInt8]? = nil,
        upTo upper: [UInt8]? = nil,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try TransactionOps.scan(txn, in: db, from: lower, upTo: upper, body)
    }

    /// Copies of the records whose key starts with `prefix`, in key order.
    public func records(in db: StoreDatabase, withPrefix prefix: [UInt8]) throws -> [StoreRecord] {
        var result: [StoreRecord] = []
        try scan(in: db, from: prefix) { key, value in
            guard key.starts(with: prefix) else { return false }
            result.append(StoreRecord(key: Array(key), value: Array(value)))
            return true
        }
        return result
    }

    /// Copies of the records with `lower <= key < upper`, in key order, at most `limit`.
    public func records(
        in db: StoreDatabase,
        from lower: [UInt8]? = nil,
        upTo upper: [UInt8]? = nil,
        limit: Int = .max
    ) throws -> [StoreRecord] {
        var result: [StoreRecord] = []
        try scan(in: db, from: lower, upTo: upper) { key, value in
            guard result.count < limit else { return false }
            result.append(StoreRecord(key: Array(key), value: Array(value)))
            return result.count < limit
        }
        return result
    }

    /// Runs `body` with a cursor over `db`, closed when `body` returns.
    public func withCursor<T>(in db: StoreDatabase, _ body: (borrowing StoreCursor) throws -> T) throws -> T {
        try TransactionOps.withCursor(txn, in: db, state: nil, body)
    }
}
