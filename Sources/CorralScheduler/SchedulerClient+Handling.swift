extension SchedulerClient {
    /// Runs the client (`run()`) and hands each event to `handler`, in order, until the
    /// client stops, the events end, or the calling task is cancelled: the loop every
    /// framework on this SDK writes.
    public nonisolated func run(handling handler: @escaping @Sendable (Event) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            group.addTask { for await event in self.events { await handler(event) } }
            await group.next()
            group.cancelAll()
        }
    }
}
