import CLMDB

// MARK: - Bridging bytes to MDB_val

/// Runs `body` with an `MDB_val` pointing into `bytes`, valid only inside `body`.
///
/// LMDB never writes through a key or (non-`MDB_RESERVE`) value passed in, so pointing it at
/// the array's read-only storage is safe.
@inline(__always)
func withMDBVal<T>(_ bytes: [UInt8], _ body: (inout MDB_val) throws -> T) rethrows -> T {
    try bytes.withUnsafeBytes { buffer in
        var value = MDB_val(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
        return try body(&value)
    }
}

extension MDB_val {
    /// A view of the bytes LMDB returned; valid until the transaction ends or writes.
    var buffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mv_data, count: mv_size)
    }
}

/// State shared by a write transaction and its cursors while its closure runs.
final class WriteState {
    /// Set when any operation hit `MDB_MAP_FULL`; the transaction is then unusable and the
    /// environment aborts it (and grows the map or throws) whatever the closure does next.
    var mapFull: StoreError?

    /// Records `rc` if it is `MDB_MAP_FULL`, then throws its typed error unless it is success.
    func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(StoreError) {
        guard rc != MDB_SUCCESS else { return }
        let error = StoreError.lmdb(rc, operation())
        if rc == MDB_MAP_FULL, mapFull == nil { mapFull = error }
        throw error
    }
}
