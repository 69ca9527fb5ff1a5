/// What `corral up` does when one of its processes ends: the pure policy, driven with the
/// current instant so a test can replay it.
///
/// With `restart: .always` a process that ends is started again after a backoff that starts
/// at `initialBackoff` and doubles (to `maximumBackoff`) while it keeps ending within
/// `stableAfter` of its start; one that ran longer starts over at `initialBackoff`. A process
/// that ended `crashLoopLimit` times in a row without getting stable is crash-looping: it is
/// reported and left stopped. Survivors are never touched.
public struct UpSupervision {
    public enum Restart: String, Sendable { case always, never }

    public enum Effect: Equatable, Sendable {
        /// Tell the person at the terminal.
        case say(String)
        /// Start this process again now.
        case start(String)
    }

    private struct Child {
        var startedAt: ContinuousClock.Instant
        var running = true
        var restartAt: ContinuousClock.Instant?
        var backoff: Duration
        var quickExits = 0
        var gaveUp = false
    }

    public let restart: Restart
    public var initialBackoff: Duration = .milliseconds(500)
    public var maximumBackoff: Duration = .seconds(10)
    public var stableAfter: Duration = .seconds(30)
    public var crashLoopLimit = 5
    private var children: [String: Child] = [:]

    public init(restart: Restart) { self.restart = restart }

    /// A process was started (first time or again).
    public mutating func started(_ name: String, now: ContinuousClock.Instant) {
        var child = children[name] ?? Child(startedAt: now, backoff: initialBackoff)
        child.startedAt = now
        child.running = true
        child.restartAt = nil
        children[name] = child
    }

    /// A process ended with `how` (e.g. "killed by signal 9").
    public mutating func ended(_ name: String, how: String, now: ContinuousClock.Instant) -> [Effect] {
        guard var child = children[name], child.running else { return [] }
        child.running = false
        if now - child.startedAt >= stableAfter {
            child.quickExits = 0
            child.backoff = initialBackoff
        }
        child.quickExits += 1
        defer { children[name] = child }
        guard restart == .always else { return [.say("\(name) ended (\(how)); not restarting it (--restart never)")] }
        if child.quickExits >= crashLoopLimit {
            child.gaveUp = true
            return [.say("\(name) ended (\(how)) \(child.quickExits) times in a row within \(stableAfter) of starting: it is crash-looping, so it stays stopped; see its log")]
        }
        child.restartAt = now + child.backoff
        let effect = Effect.say("\(name) ended (\(how)); restarting it in \(Self.text(child.backoff))")
        child.backoff = min(child.backoff * 2, maximumBackoff)
        return [effect]
    }

    /// Starts whatever is due.
    public mutating func tick(now: ContinuousClock.Instant) -> [Effect] {
        var effects: [Effect] = []
        for name in children.keys.sorted() {
            guard let due = children[name]?.restartAt, due <= now else { continue }
            children[name]?.restartAt = nil
            effects.append(.start(name))
        }
        return effects
    }

    public static func text(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000) s" : "\(milliseconds) ms"
    }
}

/// Who leads, as the masters say: reports each change, with how long there was no leader.
public struct LeaderWatch {
    public init() {}

    private var leader: (id: UInt64, term: UInt64)?
    private var lostAt: ContinuousClock.Instant?
    private var started = false

    public mutating func observe(_ statuses: [QuorumStatus], now: ContinuousClock.Instant) -> String? {
        let current = statuses.filter { $0.raft.role == "leader" }.max { $0.raft.term < $1.raft.term }
            .map { (id: $0.raft.id, term: $0.raft.term) }
        defer { started = true }
        switch (leader, current) {
        case (nil, nil):
            if !started { lostAt = now }
            return nil
        case (let old?, nil):
            leader = nil
            lostAt = now
            return "no leader: master \(old.id) (term \(old.term)) is gone or lost its quorum"
        case (let old, let new?):
            guard old?.id != new.id || old?.term != new.term else { return nil }
            leader = new
            let gap = lostAt.map { " after \(UpSupervision.text(now - $0)) without a leader" } ?? ""
            lostAt = nil
            return "leader: master \(new.id) in term \(new.term)\(gap)"
        }
    }
}
