import CorralModel

extension LeaderStateMachine {
    /// A framework's scheduler subscribed on a new stream, its subscription committed: its
    /// outstanding offers go back unfiltered, the allocator takes it in `roles` with every role
    /// revived but `suppressed`, and the oldest unacknowledged update of each of `tasks` (its
    /// tasks) goes out.
    mutating func schedulerSubscribed(
        _ id: FrameworkID,
        streamID: String,
        roles: [String],
        suppressed: [String],
        tasks: [TaskRecord],
        nowMillis: UInt64,
        now: Instant
    ) -> [Effect] {
        _ = step(.schedulerSubscribed(id, streamID: streamID), now: now)
        returnOffers(of: id, nowMillis: nowMillis)
        allocator.addFramework(id.value, roles: roles)
        allocator.revive(framework: id.value, role: nil)
        for role in suppressed { allocator.suppress(framework: id.value, role: role) }
        return tasks.flatMap { step(.taskChanged($0, resend: false), now: now) }
    }

    /// Returns the framework's outstanding offers to the allocator, unfiltered.
    mutating func returnOffers(of id: FrameworkID, nowMillis: UInt64) {
        for offer in removeOffers(where: { $0.frameworkID == id }) {
            allocator.decline(offer: offer.decision.offerID, refuseSeconds: 0, nowMillis: nowMillis)
        }
    }
}
