/// How to open a `StoreEnvironment`.
public struct StoreOptions: Sendable, Hashable {
    /// The initial size of the memory map, which bounds the data file. Rounded by LMDB to
    /// whole pages.
    public var mapSizeBytes: Int
    /// The largest the map may grow to when a write transaction fills it. When it equals
    /// `mapSizeBytes` (or is smaller) the map never grows and a full map throws
    /// `StoreError` with code `.mapFull`.
    public var maxMapSizeBytes: Int
    /// How many named databases the environment may hold.
    public var maxDatabases: Int
    /// How many read transactions may be open at once, across processes.
    public var maxReaders: Int
    /// The permissions of the data and lock files (the directory gets the same plus `x`).
    public var fileMode: UInt32

    /// Options with defaults: a 64 MiB map that may grow to 64 GiB, 16 databases.
    public init(
        mapSizeBytes: Int = 64 << 20,
        maxMapSizeBytes: Int = 64 << 30,
        maxDatabases: Int = 16,
        maxReaders: Int = 126,
        fileMode: UInt32 = 0o600
    ) {
        self.mapSizeBytes = mapSizeBytes
        self.maxMapSizeBytes = maxMapSizeBytes
        self.maxDatabases = maxDatabases
        self.maxReaders = maxReaders
        self.fileMode = fileMode
    }
}
