import CorralMaster

/// Shorthand for quantities in whole units, e.g. `res(cpus: 2, mem: 1024)`.
func res(cpus: Double = 0, mem: Double = 0, disk: Double = 0) -> ResourceQuantities {
    ResourceQuantities(["cpus": cpus, "mem": mem, "disk": disk])
}

/// A framework with an endless queue of identical tasks: it launches one task per offer when
/// the task fits, and hands the rest of the offer back with no filter.
struct GreedyFramework {
    var id: String
    var task: ResourceQuantities
    var launched = 0
}

/// Runs cycles in which each framework launches one task per offer, until a cycle launches
/// nothing; returns the tasks each framework launched.
func runUntilFull(
    _ allocator: inout some Allocator, frameworks: [GreedyFramework], maxCycles: Int = 500
) -> [String: Int] {
    var frameworks = Dictionary(uniqueKeysWithValues: frameworks.map { ($0.id, $0) })
    var now: UInt64 = 0
    for _ in 0..<maxCycles {
        now += 1000
        var launchedThisCycle = false
        for offer in allocator.allocate(nowMillis: now) {
            guard let framework = frameworks[offer.framework] else { continue }
            if offer.resources.contains(framework.task) {
                allocator.accept(offer: offer.offerID, launched: framework.task, refuseSeconds: 0, nowMillis: now)
                frameworks[offer.framework]?.launched += 1
                launchedThisCycle = true
            } else {
                allocator.decline(offer: offer.offerID, refuseSeconds: 0, nowMillis: now)
            }
        }
        if !launchedThisCycle { break }
    }
    return frameworks.mapValues(\.launched)
}
