import CLMDB

/// The one error type of CorralStore: which operation failed, and why.
///
/// `operation` names the call that failed, e.g. `mdb_put(db=raft-log)`; `message` is LMDB's
/// own explanation (`mdb_strerror`) or the file-system cause.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is, so callers can branch without parsing text.
    public enum Code: Sendable, Hashable {
        /// The map is full and could not (or may not) grow: nothing was written.
        case mapFull
        /// Another process grew the map; reopen the transaction.
        case mapResized
        /// `put(noOverwrite:)` found the key already present.
        case keyExists
        /// A lookup that requires the key found nothing.
        case notFound
        /// Too many named databases are open (`maxDatabases`).
        case databasesFull
        /// The reader lock table is full (`maxReaders`).
        case readersFull
        /// A single transaction grew too big (too many dirty pages).
        case transactionFull
        /// A key or value has a size LMDB does not accept (e.g. an empty or too-long key).
        case badValueSize
        /// The data file is not an LMDB file, has the wrong version, or is damaged.
        case corrupted
        /// The operation does not fit the database or transaction (e.g. incompatible flags).
        case invalidUsage
        /// An operating-system error (`errno`) from LMDB while opening or syncing.
        case system(Int32)
        /// The environment's directory could not be created or used; see `underlying`.
        case fileSystem
        /// Any other LMDB error code.
        case other(Int32)
    }

    /// The kind of failure.
    public var code: Code
    /// The operation that failed, e.g. `mdb_put(db=raft-log)`.
    public var operation: String
    /// Why it failed: LMDB's message or the operating system's.
    public var message: String
    /// The raw LMDB or errno return code, when there is one.
    public var returnCode: Int32?
    /// A lower-level error that caused this one, if any.
    public var underlying: (any Error)?

    /// An error with every field given.
    public init(
        code: Code,
        operation: String,
        message: String,
        returnCode: Int32? = nil,
        underlying: (any Error)? = nil
    ) {
        self.code = code
        self.operation = operation
        self.message = message
        self.returnCode = returnCode
        self.underlying = underlying
    }

    public var description: String {
        var text = "CorralStore: \(operation) failed: \(message)"
        if let returnCode { text += " (rc=\(returnCode))" }
        if let underlying { text += "; cause: \(underlying)" }
        return text
    }
}

// MARK: - Mapping LMDB return codes

extension StoreError {
    /// The typed error for LMDB return code `rc` from `operation`.
    static func lmdb(_ rc: Int32, _ operation: String) -> StoreError {
        StoreError(code: Code(lmdb: rc), operation: operation, message: lmdbMessage(rc), returnCode: rc)
    }

    /// LMDB's message for `rc` (it also covers errno values).
    static func lmdbMessage(_ rc: Int32) -> String {
        guard let text = mdb_strerror(rc) else { return "unknown error \(rc)" }
        return String(cString: text)
    }
}

extension StoreError.Code {
    /// The code for an LMDB return code.
    init(lmdb rc: Int32) {
        switch rc {
        case MDB_MAP_FULL: self = .mapFull
        case MDB_MAP_RESIZED: self = .mapResized
        case MDB_KEYEXIST: self = .keyExists
        case MDB_NOTFOUND: self = .notFound
        case MDB_DBS_FULL: self = .databasesFull
        case MDB_READERS_FULL: self = .readersFull
        case MDB_TXN_FULL: self = .transactionFull
        case MDB_BAD_VALSIZE: self = .badValueSize
        case MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_PANIC, MDB_VERSION_MISMATCH, MDB_INVALID:
            self = .corrupted
        case MDB_INCOMPATIBLE, MDB_BAD_TXN, MDB_BAD_DBI, MDB_BAD_RSLOT:
            self = .invalidUsage
        case 1...: self = .system(rc)
        default: self = .other(rc)
        }
    }
}

/// Throws the typed error for `rc` unless it is `MDB_SUCCESS`.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(StoreError) {
    guard rc == MDB_SUCCESS else { throw StoreError.lmdb(rc, operation()) }
}
