#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// These wrap pthread locks rather than `Synchronization.Mutex` because the environment must
// hold a lock across a caller's generic, throwing closure that returns a non-Sendable value,
// and must take a reader/writer gate; `Mutex.withLock`'s `sending` rules get in the way of the
// first, and it has no shared mode for the second.

// MARK: - WriterLock

/// A plain mutex that serializes this process's LMDB write transactions.
final class WriterLock: @unchecked Sendable {
    // @unchecked Sendable: the pthread mutex lives at a stable heap address and is only used
    // through pthread calls, which are thread-safe by definition.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

// MARK: - ResizeGate

/// A reader/writer lock: transactions hold it shared, a map resize holds it exclusively,
/// because `mdb_env_set_mapsize` may only run while no transaction is active in the process.
final class ResizeGate: @unchecked Sendable {
    // @unchecked Sendable: as for `WriterLock`, the rwlock is only touched through pthread calls.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` holding the gate shared (alongside other transactions).
    func withShared<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    /// Runs `body` holding the gate exclusively (no transaction is active meanwhile).
    func withExclusive<T>(_ body: () throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
