import ArgumentParser
import CorralMaster
import Foundation

/// `corral bench allocator`: the shape of Mesos's `HierarchicalAllocator_BENCHMARK_Test.DeclineOffers`.
///
/// Every agent has `cpus:24;mem:4096;disk:4096;ports:[31000-32000]` (1001 ports) of which
/// `cpus:16;mem:2014;disk:1024` and 16 ports are already used by framework `i % frameworks`,
/// as Mesos's benchmark adds them. Each round first declines every offer of the previous
/// round with a refuse filter of `INT_MAX` seconds, then times one allocation cycle, which
/// therefore has to find, for each agent, a framework that has not refused it yet.
///
/// `--reserved-cpus` and `--revocable-cpus` put the resource model in the mix: each agent's
/// reserved CPUs go only to its owner's role, and its revocable CPUs only to the frameworks
/// that take them (every other framework has the REVOCABLE_RESOURCES capability).
struct BenchAllocator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocator",
        abstract:
            "Time allocation cycles in which every framework declines every offer (Mesos's DeclineOffers).",
        discussion: "Example: corral bench allocator --agents 10000 --frameworks 1000 [--roles 10 --reserved-cpus 2 --revocable-cpus 4]"
    )

    @Option(help: "Agents.") var agents = 10_000
    @Option(help: "Frameworks.") var frameworks = 1_000
    @Option(help: "Roles the frameworks are spread over (Mesos's benchmark uses one, \"*\").") var roles = 1
    @Option(help: "Allocation cycles to time.") var rounds = 5
    @Option(
        name: .customLong("reserved-cpus"),
        help: "CPUs of every agent reserved for its owner's role, besides its 24 (needs --roles above 1)."
    )
    var reservedCPUs = 0.0
    @Option(
        name: .customLong("revocable-cpus"),
        help: "Revocable CPUs of every agent, besides its 24, offered only to the frameworks that take them (every other one)."
    )
    var revocableCPUs = 0.0

    func run() throws {
        guard agents > 0, frameworks > 0, roles > 0, rounds > 0 else {
            throw ValidationError("--agents, --frameworks, --roles and --rounds must be positive")
        }
        guard revocableCPUs >= 0 else { throw ValidationError("--revocable-cpus must not be negative") }
        guard reservedCPUs >= 0, reservedCPUs == 0 || roles > 1 else {
            throw ValidationError(
                "--reserved-cpus must not be negative, and needs --roles above 1 (\"*\" cannot reserve)"
            )
        }
        let clock = ContinuousClock()
        var allocator = makeAllocator(AllocatorConfiguration())
        let setupStarted = clock.now
        let frameworkIDs = (0..<frameworks).map { String(format: "framework-%06d", $0) }
        let roleOf = { (framework: Int) in roles == 1 ? "*" : String(format: "role-%04d", framework % roles) }
        for (index, id) in frameworkIDs.enumerated() {
            allocator.addFramework(id, roles: [roleOf(index)])
            if revocableCPUs > 0 && index % 2 == 0 { allocator.setTakesRevocable(framework: id, true) }
        }
        let total = ResourceQuantities(["cpus": 24, "mem": 4096, "disk": 4096, "ports": 1001])
        let used = ResourceQuantities(["cpus": 16, "mem": 2014, "disk": 1024, "ports": 16])
        for agent in 0..<agents {
            let owner = agent % frameworks
            // Reservations in the mix: each agent's reserved CPUs go only to its owner's role.
            var total = total
            if reservedCPUs > 0 { total += ResourceQuantities(["cpus(\(roleOf(owner)))": reservedCPUs]) }
            if revocableCPUs > 0 { total += ResourceQuantities(["cpus[revocable]": revocableCPUs]) }
            allocator.addAgent(
                String(format: "agent-%06d", agent),
                total: total,
                used: [UsedResources(framework: frameworkIDs[owner], role: roleOf(owner), resources: used)]
            )
        }
        say(
            String(
                format:
                    "corral allocator: %d agents, %d frameworks in %d role(s), %.1f reserved and %.1f revocable CPUs an agent, set up in %.1f ms",
                agents,
                frameworks,
                roles,
                reservedCPUs,
                revocableCPUs,
                milliseconds(clock.now - setupStarted)
            )
        )
        var nowMillis: UInt64 = 1_000
        var offers: [OfferDecision] = []
        var samples: [Double] = []
        // Time on the CPU too: on a busy machine it leaves out the time the thread waited to run.
        var cpuSamples: [Double] = []
        for round in 0..<rounds {
            for offer in offers {
                allocator.decline(
                    offer: offer.offerID,
                    refuseSeconds: Double(Int32.max),
                    nowMillis: nowMillis
                )
            }
            nowMillis += 1_000
            let started = clock.now
            let cpuStarted = threadCPUMilliseconds()
            offers = allocator.allocate(nowMillis: nowMillis)
            let elapsed = milliseconds(clock.now - started)
            let cpu = threadCPUMilliseconds() - cpuStarted
            samples.append(elapsed)
            cpuSamples.append(cpu)
            say(
                String(
                    format: "round %d: allocate took %.2f ms (%.2f ms on the CPU) to make %d offers",
                    round,
                    elapsed,
                    cpu,
                    offers.count
                )
            )
        }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let sorted = samples.sorted()
        say(
            String(
                format:
                    "corral allocator: agents=%d frameworks=%d rounds=%d mean=%.2f ms median=%.2f ms max=%.2f ms per cycle (cpu mean=%.2f ms)",
                agents,
                frameworks,
                rounds,
                mean,
                sorted[sorted.count / 2],
                sorted[sorted.count - 1],
                cpuSamples.reduce(0, +) / Double(cpuSamples.count)
            )
        )
    }

    /// This thread's CPU time so far.
    private func threadCPUMilliseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
    }

    private func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
