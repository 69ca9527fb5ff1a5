@testable import CorralAgent
import Testing

/// The launch gate lets at most its permits through at a time, and lets everyone through.
@Suite struct LaunchGateTests {
    actor Meter {
        var inside = 0
        var most = 0
        var done = 0
        func enter() { inside += 1; most = max(most, inside) }
        func leave() { inside -= 1; done += 1 }
    }

    @Test func noMoreThanThePermitsRunAtOnceAndAllFinish() async {
        let gate = LaunchGate(permits: 2)
        let meter = Meter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    await gate.run {
                        await meter.enter()
                        try? await Task.sleep(for: .milliseconds(2))
                        await meter.leave()
                    }
                }
            }
        }
        let most = await meter.most
        let done = await meter.done
        #expect(most <= 2, "at most two at once, saw \(most)")
        #expect(done == 20)
    }
}
