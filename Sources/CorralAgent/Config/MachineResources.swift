import CorralModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What the machine has, read once at start, and the resources the agent offers from it when
/// `--resources` leaves a name out — computed as mesos-agent does
/// (`Containerizer::resources`): memory and disk keep a reserve for the system.
public struct MachineResources: Sendable, Hashable {
    /// Online CPUs.
    public var cpus: Int
    /// `MemTotal` from `/proc/meminfo`.
    public var memoryBytes: UInt64
    /// Space available to unprivileged users on the work directory's filesystem.
    public var diskFreeBytes: UInt64

    /// The port range mesos-agent offers by default.
    public static let defaultPorts = Ranges(31000...32000)

    /// Makes a description of a machine (tests use made-up ones).
    public init(cpus: Int, memoryBytes: UInt64, diskFreeBytes: UInt64) {
        self.cpus = cpus
        self.memoryBytes = memoryBytes
        self.diskFreeBytes = diskFreeBytes
    }

    /// Offered memory in MB: all of it less a reserve of 1 GB, or half when there is less
    /// than 2 GB (the reserve is min(1 GB, half)).
    public var offeredMemoryMegabytes: Scalar {
        let gigabyte: UInt64 = 1 << 30
        let offered = memoryBytes >= 2 * gigabyte ? memoryBytes - gigabyte : memoryBytes / 2
        return Scalar(Double(offered >> 20))
    }

    /// Offered disk in MB: the free space less a reserve of 5 GB, or half when less than
    /// 10 GB is free (the reserve is min(5 GB, half)). mesos-agent starts from the
    /// filesystem's size; the free space is what the agent can really hand out.
    public var offeredDiskMegabytes: Scalar {
        let gigabyte: UInt64 = 1 << 30
        let offered = diskFreeBytes >= 10 * gigabyte ? diskFreeBytes - 5 * gigabyte : diskFreeBytes / 2
        return Scalar(Double(offered >> 20))
    }

    /// `cpus`, `mem`, `disk` and `ports` from this machine, for the names `given` lacks; the
    /// given resources come first, unchanged.
    public func completing(_ given: [Resource]) -> [Resource] {
        let names = Set(given.map(\.name))
        var result = given
        if !names.contains("cpus") { result.append(.scalar("cpus", Scalar(Double(cpus)))) }
        if !names.contains("mem") { result.append(.scalar("mem", offeredMemoryMegabytes)) }
        if !names.contains("disk") { result.append(.scalar("disk", offeredDiskMegabytes)) }
        if !names.contains("ports") { result.append(.ranges("ports", Self.defaultPorts)) }
        return result
    }

    // MARK: - Reading the machine

    /// Reads this machine: online CPUs, `MemTotal`, and the free space of the filesystem that
    /// holds `workDirectory` (or its nearest existing parent, before the agent creates it).
    public static func detect(workDirectory: String) throws(AgentConfigError) -> MachineResources {
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        guard online >= 1 else {
            throw AgentConfigError(field: "resources", "cannot count the online CPUs (sysconf failed); give cpus:N in --resources")
        }
        return MachineResources(
            cpus: online, memoryBytes: try memoryTotal(), diskFreeBytes: try diskFree(workDirectory))
    }

    private static func memoryTotal() throws(AgentConfigError) -> UInt64 {
        let failure = AgentConfigError(field: "resources", "cannot read MemTotal from /proc/meminfo; give mem:MB in --resources")
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") })
        else { throw failure }
        // "MemTotal:       16314352 kB"
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 2, let kilobytes = UInt64(fields[1]), kilobytes > 0 else { throw failure }
        return kilobytes * 1024
    }

    private static func diskFree(_ workDirectory: String) throws(AgentConfigError) -> UInt64 {
        var path = URL(fileURLWithPath: workDirectory).standardizedFileURL
        while !FileManager.default.fileExists(atPath: path.path), path.path != "/" {
            path.deleteLastPathComponent()
        }
        var info = statvfs()
        var result: Int32
        repeat { result = statvfs(path.path, &info) } while result != 0 && errno == EINTR
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            throw AgentConfigError(
                field: "resources", "statvfs(\(path.path)) for the work directory's free space failed: \(reason); give disk:MB in --resources")
        }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }
}
