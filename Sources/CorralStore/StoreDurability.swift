import CLMDB

/// What a write transaction's commit promises once `StoreEnvironment.write` returns.
///
/// Both levels are atomic: a crash of the process or of the whole system (power loss) never
/// tears a transaction and never corrupts the environment. They differ in what a system
/// crash may undo. (A crash of the process alone loses nothing at either level: the kernel
/// still holds every write.)
public enum StoreDurability: Sendable, Hashable {
    /// The data pages are flushed (`fdatasync`) and then the meta page is written through a
    /// synchronous descriptor: the transaction survives power loss. Two flushes per commit.
    case full
    /// LMDB's `MDB_NOMETASYNC`: the data pages are flushed before the meta page is written,
    /// but the meta page itself is not flushed. A system crash may undo this transaction,
    /// leaving the environment as of the transaction before it, never a damaged one; the
    /// next commit of either level (its data flush also flushes this meta page) or `sync()`
    /// makes it durable. One flush per commit.
    ///
    /// Use it only for state that can be rebuilt from a durable source, such as a state
    /// machine applied from a durable log that is kept until the state is synced.
    case atomicOnly

    /// The LMDB environment flags to set for the commit.
    var commitFlags: UInt32 {
        switch self {
        case .full: 0
        case .atomicOnly: UInt32(MDB_NOMETASYNC)
        }
    }
}
