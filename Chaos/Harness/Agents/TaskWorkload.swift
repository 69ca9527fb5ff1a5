import Foundation
import Synchronization

/// The task workload of a run: `schedulers` `TaskScheduler`s launching, killing and
/// reconciling tasks on the agents from the workload's start, driven from the harness's
/// (blocking) threads. After the workload they stop launching and wait for every launched
/// task to end (`drain`).
public final class TaskWorkload: Sendable {
    let schedulers: [TaskScheduler]
    public let log: TaskEventLog
    private let ticking = Mutex<Task<Void, Never>?>(nil)

    public init(shape: Scenario.Tasks, masters: [String], seed: UInt64, clock: @escaping @Sendable () -> UInt64) {
        let log = TaskEventLog(clock: clock)
        self.log = log
        schedulers = (1...shape.schedulers).map { TaskScheduler(index: $0, masters: masters, shape: shape, seed: seed, log: log) }
    }

    /// Starts every scheduler and the 100 ms tick that kills and reconciles.
    public func start() throws(HarnessFailure) {
        let failure = Self.blocking { [schedulers] () async -> String? in
            for scheduler in schedulers {
                do { try await scheduler.start() } catch { return "cannot start scheduler \(scheduler.index): \(error)" }
            }
            return nil
        }
        if let failure { throw HarnessFailure(failure) }
        let schedulers = schedulers
        ticking.withLock {
            $0 = Task {
                while !Task.isCancelled {
                    for scheduler in schedulers { await scheduler.tick() }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }

    /// Scheduler `index` (from 1) loses its client: the fault.
    public func drop(_ index: Int) {
        guard schedulers.indices.contains(index - 1) else { return }
        let scheduler = schedulers[index - 1]
        Self.blocking { await scheduler.drop() }
    }

    /// Scheduler `index` subscribes again with its framework ID: the heal.
    public func restart(_ index: Int) throws(HarnessFailure) {
        guard schedulers.indices.contains(index - 1) else { return }
        let scheduler = schedulers[index - 1]
        let failure = Self.blocking { () async -> String? in
            do { try await scheduler.heal() } catch { return "cannot restart scheduler \(index): \(error)" }
            return nil
        }
        if let failure { throw HarnessFailure(failure) }
    }

    /// Stops launching and waits up to `seconds` for every launched task to end; returns how
    /// many had not.
    public func drain(seconds: Double) -> Int {
        let schedulers = schedulers
        Self.blocking { for scheduler in schedulers { await scheduler.stopLaunching() } }
        let deadline = Date().addingTimeInterval(seconds)
        var left = 0
        repeat {
            left = Self.blocking { () async -> Int in
                var count = 0
                for scheduler in schedulers { count += await scheduler.unfinished }
                return count
            }
            if left == 0 { break }
            usleep(100_000)
        } while Date() < deadline
        return left
    }

    /// Stops every scheduler and the tick.
    public func stop() {
        ticking.withLock { task in
            task?.cancel()
            task = nil
        }
        let schedulers = schedulers
        Self.blocking { for scheduler in schedulers { await scheduler.stop() } }
    }

    /// Runs `body` on the concurrency pool and waits for it on this (harness) thread.
    @discardableResult
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0! }
    }
}
