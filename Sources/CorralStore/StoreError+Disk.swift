#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StoreError {
    /// The error for a commit that failed with `rc`. When the cause may be a full disk (LMDB
    /// reports `ENOSPC`, or `EIO` for a write the full disk cut short), the message says how
    /// many bytes the file system of `path` has free, so that the operator sees the cause.
    static func commit(_ rc: Int32, path: String) -> StoreError {
        var error = StoreError.lmdb(rc, "mdb_txn_commit(\(path))")
        guard rc == ENOSPC || rc == EIO else { return error }
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return error }
        let free = UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
        error.message += "; the file system of \(path) has \(free) bytes free"
        if free < 1 << 20 { error.message += " (it is full: free space, then restart)" }
        return error
    }
}
