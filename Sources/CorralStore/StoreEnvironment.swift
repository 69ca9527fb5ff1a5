import CLMDB
import Foundation

/// An LMDB environment: one directory holding a memory-mapped data file and its named
/// databases.
///
/// Transactions are scoped closures (`read`, `write`): the transaction value cannot leave
/// the closure, which runs synchronously on the calling thread, so a transaction never
/// crosses threads. Write transactions are serialized inside the environment (LMDB allows one
/// writer); read transactions run concurrently with each other and with the writer, and are
/// not tied to threads (`MDB_NOTLS`).
///
/// Do not open the same directory twice in one process at once (an LMDB rule): release the
/// first environment before reopening.
public final class StoreEnvironment: @unchecked Sendable {
    // @unchecked Sendable: `MDB_env` is thread-safe for the calls made here (LMDB docs);
    // writers are serialized by `writerLock`, map resizes are excluded from every transaction
    // by `gate`, and the only mutable field, `mapSizeBytes`, is only touched under `writerLock`.

    /// The directory holding `data.mdb` and `lock.mdb`.
    public let path: String
    /// The options the environment was opened with.
    public let options: StoreOptions
    let env: OpaquePointer
    let writerLock = WriterLock()
    let gate = ResizeGate()
    /// The current map size; read and written only while holding `writerLock`.
    var mapSizeBytes: Int

    /// Opens (creating if needed) the environment in directory `path`.
    public init(path: String, options: StoreOptions = StoreOptions()) throws(StoreError) {
        self.path = path
        self.options = options
        try Self.createDirectory(path, fileMode: options.fileMode)
        var handle: OpaquePointer?
        try check(mdb_env_create(&handle), "mdb_env_create(\(path))")
        guard let handle else {
            throw StoreError(code: .other(0), operation: "mdb_env_create(\(path))", message: "returned no handle")
        }
        do {
            try check(mdb_env_set_mapsize(handle, options.mapSizeBytes), "mdb_env_set_mapsize(\(path))")
            try check(mdb_env_set_maxdbs(handle, MDB_dbi(options.maxDatabases)), "mdb_env_set_maxdbs(\(path))")
            try check(mdb_env_set_maxreaders(handle, UInt32(options.maxReaders)), "mdb_env_set_maxreaders(\(path))")
            let flags = UInt32(MDB_NOTLS)
            try check(mdb_env_open(handle, path, flags, mdb_mode_t(options.fileMode)), "mdb_env_open(\(path))")
            var info = MDB_envinfo()
            try check(mdb_env_info(handle, &info), "mdb_env_info(\(path))")
            mapSizeBytes = info.me_mapsize
        } catch {
            mdb_env_close(handle)
            throw error
        }
        env = handle
    }

    deinit {
        mdb_env_close(env)
    }

    /// The size of the memory map right now, in bytes.
    public var currentMapSizeBytes: Int {
        writerLock.withLock { mapSizeBytes }
    }

    /// Opens a named database, creating it when `flags` contains `.create`.
    ///
    /// Runs its own durable write transaction, so it must not be called inside another
    /// transaction's closure.
    public func openDatabase(_ name: String, flags: StoreDatabase.Flags = .create) throws -> StoreDatabase {
        try write { txn in
            var dbi: MDB_dbi = 0
            try check(mdb_dbi_open(txn.txn, name, flags.rawValue, &dbi), "mdb_dbi_open(db=\(name))")
            return StoreDatabase(name: name, flags: flags, dbi: dbi)
        }
    }

    /// The ID of the last committed write transaction; each commit adds one, so tests and
    /// metrics can count commits.
    public func lastTransactionID() throws(StoreError) -> Int {
        var info = MDB_envinfo()
        try check(mdb_env_info(env, &info), "mdb_env_info(\(path))")
        return info.me_last_txnid
    }

    /// Flushes the data file to disk (`mdb_env_sync`): every commit so far, `.atomicOnly`
    /// ones included, then survives power loss.
    public func sync() throws(StoreError) {
        try check(mdb_env_sync(env, 1), "mdb_env_sync(\(path))")
    }

    // MARK: - Directory

    private static func createDirectory(_ path: String, fileMode: UInt32) throws(StoreError) {
        let directoryMode = fileMode | ((fileMode & 0o444) >> 2)
        do {
            try FileManager.default.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: Int(directoryMode)]
            )
        } catch {
            throw StoreError(
                code: .fileSystem,
                operation: "createDirectory(\(path))",
                message: "could not create the environment directory",
                underlying: error
            )
        }
    }
}
