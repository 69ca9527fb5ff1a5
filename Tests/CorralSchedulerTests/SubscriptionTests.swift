import CorralModel
import CorralScheduler
import Testing

@Suite("Subscribing and receiving events")
struct SubscriptionTests {
    @Test func subscribesAndReceivesOffers() async throws {
        try await withMasters(1, heartbeatSeconds: 0.2) { masters in
            let master = masters[0]
            try await withClient(testConfiguration(masters: [master.address])) { client, log in
                try await eventually("SUBSCRIBED") { !log.subscribedMasters.isEmpty }
                #expect(log.subscribedMasters == [master.address])
                #expect(await client.frameworkID == "fw-1")
                #expect(await client.isSubscribed)

                let subscribe = try #require(master.subscribes.first)
                #expect(subscribe.call.subscribe?.frameworkInfo.name == "sdk-test")
                #expect(subscribe.call.subscribe?.frameworkInfo.id == nil)
                #expect(subscribe.headers["content-type"] == "application/json")
                #expect(subscribe.headers["accept"] == "application/json")

                let offer = Offer(id: "offer-1", frameworkID: "fw-1", agentID: "agent-1", hostname: "node-1")
                try master.send(.offers([offer]))
                try await eventually("OFFERS") {
                    log.schedulerEvents.contains { $0.offers?.offers.first?.id == "offer-1" }
                }
                try await eventually("a HEARTBEAT") { log.schedulerEvents.contains { $0.type == .heartbeat } }
            }
        }
    }

    @Test func stopEndsRunAndEvents() async throws {
        try await withMasters(1) { masters in
            let client = try SchedulerClient(testConfiguration(masters: [masters[0].address]))
            let log = EventLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                group.addTask { for await event in client.events { log.append(event) } }
                try await eventually("SUBSCRIBED") { await client.isSubscribed }
                await client.stop()
                try await group.waitForAll()
            }
            #expect(await !client.isSubscribed)
            await #expect(throws: SchedulerError.self) { try await client.revive() }
        }
    }

    @Test func cancellingRunEndsIt() async throws {
        try await withMasters(1) { masters in
            let client = try SchedulerClient(testConfiguration(masters: [masters[0].address]))
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                try? await eventually("SUBSCRIBED") { await client.isSubscribed }
                group.cancelAll()
                await group.waitForAll()
            }
            #expect(await !client.isSubscribed)
            try await eventually("the stream to close") { masters[0].openStreamIDs.isEmpty }
        }
    }

    @Test func configuredFrameworkIDIsSentOnFirstSubscribe() async throws {
        try await withMasters(1) { masters in
            var configuration = testConfiguration(masters: [masters[0].address])
            configuration.framework.id = "fw-1"
            try await withClient(configuration) { _, log in
                try await eventually("SUBSCRIBED") { !log.subscribedMasters.isEmpty }
                let subscribe = try #require(masters[0].subscribes.first)
                #expect(subscribe.call.subscribe?.frameworkInfo.id == "fw-1")
                #expect(subscribe.call.frameworkID == "fw-1")
            }
        }
    }

    @Test func rejectsABadMasterList() {
        #expect(throws: SchedulerError.self) { try SchedulerClient(testConfiguration(masters: [])) }
        #expect(throws: SchedulerError.self) {
            try SchedulerClient(testConfiguration(masters: ["host:port"]))
        }
    }
}
