#if canImport(Glibc)
    import Glibc
#endif

/// A container's cgroups (v1): `<mountRoot>/<controller>/corral/<id>` for each controller.
public struct Cgroup: Sendable, Equatable {
    /// The v1 controllers a container is placed in.
    public static let controllers = ["cpu", "cpuacct", "memory", "pids", "freezer", "devices"]
    /// The devices a container may use, as runc's defaults that Docker applies (written to
    /// `devices.allow` after `devices.deny` "a"): creating any device node (`m`), but reading
    /// and writing only null, zero, full, random, urandom, tty, ptmx, the ptys and tun.
    public static let allowedDevices = [
        "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm",
        "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm",
    ]
    /// The parent cgroup of every container.
    public static let parentName = "corral"

    /// The container id naming the cgroup.
    public let id: String
    /// Where the v1 hierarchies are mounted.
    public let mountRoot: String

    /// Names the cgroups of `id` (nothing is created).
    public init(id: String, mountRoot: String = "/sys/fs/cgroup") {
        self.id = id
        self.mountRoot = mountRoot
    }

    /// The directory of this cgroup in `controller`.
    public func path(_ controller: String) -> String {
        "\(mountRoot)/\(controller)/\(Cgroup.parentName)/\(id)"
    }

    /// Creates the cgroups and applies the limits.
    public static func create(id: String, limits: CgroupLimits, mountRoot: String = "/sys/fs/cgroup") throws
        -> Cgroup
    {
        let cgroup = Cgroup(id: id, mountRoot: mountRoot)
        for controller in controllers {
            try ContainerSyscall.mkdir("\(mountRoot)/\(controller)/\(parentName)", code: .cgroup)
            try ContainerSyscall.mkdir(cgroup.path(controller), code: .cgroup)
        }
        do {
            try cgroup.restrictDevices()
            try cgroup.apply(limits)
        } catch {
            try? cgroup.remove()
            throw error
        }
        return cgroup
    }

    /// Denies every device, then allows `allowedDevices`.
    func restrictDevices() throws {
        try write("devices", "devices.deny", "a")
        for rule in Cgroup.allowedDevices {
            try write("devices", "devices.allow", rule)
        }
    }

    /// Writes the limits into the control files.
    func apply(_ limits: CgroupLimits) throws {
        if let cpus = limits.cpus {
            let periodMicroseconds = 100_000
            try write("cpu", "cpu.shares", String(max(2, Int(cpus * 1024))))
            try write("cpu", "cpu.cfs_period_us", String(periodMicroseconds))
            try write("cpu", "cpu.cfs_quota_us", String(max(1000, Int(cpus * Double(periodMicroseconds)))))
        }
        if let bytes = limits.memoryLimitBytes {
            try write("memory", "memory.limit_in_bytes", String(bytes))
            // Without swap accounting this file is absent; with it, swap must not lift the limit.
            if ContainerSyscall.exists(path("memory") + "/memory.memsw.limit_in_bytes") {
                try write("memory", "memory.memsw.limit_in_bytes", String(bytes))
            }
        }
        if let pids = limits.pidsLimit {
            try write("pids", "pids.max", String(pids))
        }
    }

    /// The `tasks` file of every controller: a process joins by writing "0" to each (see
    /// `corral_launch_config.cgroup_tasks`).
    public var tasksFiles: [String] {
        Cgroup.controllers.map { path($0) + "/tasks" }
    }

    /// The pids currently in the cgroup.
    public func pids() throws -> [pid_t] {
        try ContainerSyscall.readFile(path("freezer") + "/cgroup.procs", code: .cgroup)
            .split(separator: "\n").compactMap { pid_t($0) }
    }

    /// Writes one control file.
    func write(_ controller: String, _ file: String, _ value: String) throws {
        try ContainerSyscall.writeFile("\(path(controller))/\(file)", value, code: .cgroup)
    }

    /// Reads one control file, trimmed.
    func read(_ controller: String, _ file: String) throws -> String {
        Self.trimmed(try ContainerSyscall.readFile("\(path(controller))/\(file)", code: .cgroup))
    }

    /// `text` without leading and trailing ASCII whitespace (what control files hold).
    static func trimmed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

/// The limits a container's cgroups enforce.
public struct CgroupLimits: Sendable, Equatable {
    /// Cores (cpu.shares = 1024 × cpus, CFS quota = cpus × period).
    public var cpus: Double?
    /// memory.limit_in_bytes (and memsw when swap is accounted).
    public var memoryLimitBytes: Int64?
    /// pids.max.
    public var pidsLimit: Int?

    /// Makes limits; nil means unlimited.
    public init(cpus: Double? = nil, memoryLimitBytes: Int64? = nil, pidsLimit: Int? = nil) {
        self.cpus = cpus
        self.memoryLimitBytes = memoryLimitBytes
        self.pidsLimit = pidsLimit
    }
}
