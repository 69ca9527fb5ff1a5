import CLMDB

/// A handle to a named database inside a `StoreEnvironment`.
///
/// Obtain one with `StoreEnvironment.openDatabase(_:flags:)`. The handle stays valid for the
/// life of the environment and may be shared between threads and transactions.
public struct StoreDatabase: Sendable, Hashable, CustomStringConvertible {
    /// The name it was opened with; used in error messages.
    public let name: String
    /// The flags it was opened with.
    public let flags: Flags
    /// LMDB's handle.
    let dbi: MDB_dbi

    init(name: String, flags: Flags, dbi: MDB_dbi) {
        self.name = name
        self.flags = flags
        self.dbi = dbi
    }

    public var description: String { "db=\(name)" }

    /// Options for opening a named database.
    public struct Flags: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32

        /// Flags from LMDB's raw `mdb_dbi_open` bits.
        public init(rawValue: UInt32) {
            self.rawValue = rawValue
        }

        /// Create the database if it does not exist (`MDB_CREATE`).
        public static let create = Flags(rawValue: UInt32(MDB_CREATE))
        /// Keys are native-endian `UInt32`/`UInt64` compared as integers (`MDB_INTEGERKEY`).
        public static let integerKey = Flags(rawValue: UInt32(MDB_INTEGERKEY))
        /// Keys are compared from their last byte to their first (`MDB_REVERSEKEY`).
        public static let reverseKey = Flags(rawValue: UInt32(MDB_REVERSEKEY))
    }
}

/// A key/value pair copied out of a transaction.
public struct StoreRecord: Sendable, Hashable {
    /// The key bytes.
    public var key: [UInt8]
    /// The value bytes.
    public var value: [UInt8]

    /// A record from its key and value.
    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }
}
