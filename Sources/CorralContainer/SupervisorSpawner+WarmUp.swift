import Foundation

extension SupervisorSpawner {
    /// Runs, once in the helper, the Swift work every forked supervisor does (a record's JSON
    /// round trip in each state, the process identity read, cgroup file parsing), so that the runtime's type
    /// metadata and protocol conformance caches and the lazily bound symbols are filled in
    /// before the first fork. Every copy inherits them instead of rebuilding them: a cold
    /// record decode alone cost a supervisor about 3 ms of CPU.
    ///
    /// Touches nothing on disk. Returns the records it round-tripped, for the test that checks
    /// they survive it unchanged.
    @discardableResult
    static func warmUp() -> [ContainerRecord] {
        let me = ProcessIdentity.of(pid: getpid()) ?? ProcessIdentity(pid: getpid(), startTicks: 0)
        let spec = LaunchSpec(
            id: "warm-up", rootfs: .overlay(lowerDirectories: ["/nonexistent"]), arguments: ["/bin/true"],
            user: UserSpec(uid: 1, gid: 1, additionalGroups: [2]), cpus: 0.1, memoryLimitBytes: 1 << 20, pidsLimit: 8,
            resourceLimits: [ResourceLimit(.openFiles, soft: 1, hard: 2)],
            bindMounts: [BindMount(source: "/nonexistent", target: "/mnt")], logDirectory: "/nonexistent")
        let states: [ContainerRecord.State] = [
            .created, .running(initProcess: me, supervisor: me),
            .exited(exitCode: 0, oomKilled: false, finishedAt: Date()), .failed(message: "warm-up"),
        ]
        _ = Cgroup.keyedValues("under_oom 0\noom_kill 0\n")
        _ = Int64(Cgroup.trimmed(" 1\n"))
        return states.compactMap { state in
            let record = ContainerRecord(spec: spec, state: state, labels: ["warm": "up"])
            guard let data = try? ContainerStore.encode(record) else { return nil }
            return try? ContainerStore.decode(data)
        }
    }
}
