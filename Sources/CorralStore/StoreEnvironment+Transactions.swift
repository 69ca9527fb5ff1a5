import CLMDB

extension StoreEnvironment {
    // MARK: - Read transactions

    /// Runs `body` in a read-only transaction on the calling thread and returns its result.
    ///
    /// Do not start a write transaction inside `body`: a map resize waits for every read
    /// transaction to end, including the one it would be nested in.
    public func read<T>(_ body: (borrowing ReadTransaction) throws -> T) throws -> T {
        while true {
            let outcome: ReadAttempt<T> = try gate.withShared {
                var handle: OpaquePointer?
                let rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &handle)
                if rc == MDB_MAP_RESIZED { return .mapResized }
                try check(rc, "mdb_txn_begin(read, \(path))")
                guard let handle else { throw noHandle("mdb_txn_begin(read, \(path))") }
                defer { mdb_txn_abort(handle) }
                return .done(try body(ReadTransaction(txn: handle)))
            }
            switch outcome {
            case .done(let value): return value
            case .mapResized: try writerLock.withLock { try adoptForeignMapSize() }
            }
        }
    }

    // MARK: - Write transactions

    /// Runs `body` in a write transaction and commits it when `body` returns; aborts it and
    /// rethrows when `body` throws.
    ///
    /// The commit keeps the promise of `durability` (see `StoreDurability`): by default it
    /// survives power loss. When the map fills up, the
    /// transaction is aborted, the map doubles up to `options.maxMapSizeBytes` and `body` runs
    /// again from the start, so `body` must not have effects outside the transaction; at the
    /// ceiling it throws `StoreError` with code `.mapFull` and nothing is written.
    ///
    /// Writers wait for each other, so `body` must not call `write` or `openDatabase` again
    /// (that would wait for itself); reading with `read` inside `body` is fine.
    public func write<T>(
        durability: StoreDurability = .full,
        _ body: (borrowing WriteTransaction) throws -> T
    ) throws -> T {
        try writerLock.withLock {
            while true {
                switch try attemptWrite(durability: durability, body) {
                case .committed(let value): return value
                case .mapFull(let error): try grow(after: error)
                case .mapResized: try adoptForeignMapSize()
                }
            }
        }
    }

    private func attemptWrite<T>(durability: StoreDurability, _ body: (borrowing WriteTransaction) throws -> T) throws -> WriteAttempt<T> {
        try gate.withShared {
            var handle: OpaquePointer?
            let begin = mdb_txn_begin(env, nil, 0, &handle)
            if begin == MDB_MAP_RESIZED { return .mapResized }
            try check(begin, "mdb_txn_begin(write, \(path))")
            guard let handle else { throw noHandle("mdb_txn_begin(write, \(path))") }
            let state = WriteState()
            let value: T
            do {
                value = try body(WriteTransaction(txn: handle, state: state))
            } catch {
                mdb_txn_abort(handle)
                if let mapFull = state.mapFull { return .mapFull(mapFull) }
                throw error
            }
            if let mapFull = state.mapFull {
                mdb_txn_abort(handle)
                return .mapFull(mapFull)
            }
            do {
                try Failpoints.pass(Failpoints.lmdbCommit, path: path)
            } catch {
                mdb_txn_abort(handle)
                throw error
            }
            // LMDB 0.9 reads the sync flags from the environment at commit time (a flag given
            // to mdb_txn_begin is ignored), so they are set around the commit. Toggling them
            // cannot fail (they are among LMDB's changeable flags), and only the writer, which
            // holds `writerLock`, ever touches them.
            let flags = durability.commitFlags
            if flags != 0 { mdb_env_set_flags(env, flags, 1) }
            let rc = mdb_txn_commit(handle)  // frees the transaction whatever it returns
            if flags != 0 { mdb_env_set_flags(env, flags, 0) }
            if rc == MDB_MAP_FULL { return .mapFull(StoreError.lmdb(rc, "mdb_txn_commit(\(path))")) }
            guard rc == MDB_SUCCESS else { throw StoreError.commit(rc, path: path) }
            return .committed(value)
        }
    }

    // MARK: - Map size

    /// Doubles the map up to the ceiling, or throws `.mapFull` at the ceiling. Call holding
    /// `writerLock`, with no transaction of this process open.
    private func grow(after error: StoreError) throws {
        let ceiling = options.maxMapSizeBytes
        guard mapSizeBytes < ceiling else {
            throw StoreError(
                code: .mapFull,
                operation: error.operation,
                message: "\(error.message); the map is at its ceiling of \(ceiling) bytes, nothing was written",
                returnCode: error.returnCode,
                underlying: error
            )
        }
        let next = mapSizeBytes > ceiling / 2 ? ceiling : mapSizeBytes * 2
        try setMapSize(next)
    }

    /// Adopts the map size another process grew the map to. Call holding `writerLock`.
    private func adoptForeignMapSize() throws {
        try setMapSize(0)
    }

    private func setMapSize(_ bytes: Int) throws {
        try gate.withExclusive {
            try check(mdb_env_set_mapsize(env, bytes), "mdb_env_set_mapsize(\(bytes), \(path))")
            var info = MDB_envinfo()
            try check(mdb_env_info(env, &info), "mdb_env_info(\(path))")
            mapSizeBytes = info.me_mapsize
        }
    }

    private func noHandle(_ operation: String) -> StoreError {
        StoreError(code: .other(0), operation: operation, message: "LMDB returned no transaction")
    }
}

// MARK: - Attempts

private enum ReadAttempt<T> {
    case done(T)
    case mapResized
}

private enum WriteAttempt<T> {
    case committed(T)
    case mapFull(StoreError)
    case mapResized
}
