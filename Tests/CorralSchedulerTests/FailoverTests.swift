import CorralModel
import CorralScheduler
import NIOCore
import NIOPosix
import Testing

@Suite("Following the leader and re-subscribing")
struct FailoverTests {
    @Test(arguments: ["http://", "//"])
    func followsARedirect(scheme: String) async throws {
        try await withMasters(2) { masters in
            let (follower, leader) = (masters[0], masters[1])
            follower.setBehavior(.redirect(location: "\(scheme)\(leader.address)/api/v1/scheduler"))
            try await withClient(testConfiguration(masters: [follower.address])) { client, log in
                try await eventually("SUBSCRIBED") { !log.subscribedMasters.isEmpty }
                #expect(log.subscribedMasters == [leader.address])
                #expect(follower.subscribes.count >= 1)
                // Calls go to the master that holds the stream.
                try await client.revive()
                #expect(leader.calls.contains { $0.call.type == .revive })
                #expect(!follower.calls.contains { $0.call.type == .revive })
            }
        }
    }

    @Test func unavailableMovesToTheNextMaster() async throws {
        try await withMasters(2) { masters in
            masters[0].setBehavior(.unavailable)
            try await withClient(testConfiguration(masters: [masters[0].address, masters[1].address])) {
                _,
                log in
                try await eventually("SUBSCRIBED") { !log.subscribedMasters.isEmpty }
                #expect(log.subscribedMasters == [masters[1].address])
                #expect(masters[0].subscribes.count >= 1)
            }
        }
    }

    @Test func refusedConnectionMovesToTheNextMaster() async throws {
        let closedPort = try await Self.closedPort()
        try await withMasters(1) { masters in
            let configuration = testConfiguration(masters: ["127.0.0.1:\(closedPort)", masters[0].address])
            try await withClient(configuration) { _, log in
                try await eventually("SUBSCRIBED") { !log.subscribedMasters.isEmpty }
                #expect(log.subscribedMasters == [masters[0].address])
            }
        }
    }

    @Test func droppedStreamResubscribesWithTheSameFrameworkID() async throws {
        try await withMasters(1) { masters in
            let master = masters[0]
            try await withClient(testConfiguration(masters: [master.address])) { client, log in
                try await eventually("SUBSCRIBED") { log.subscribedMasters.count == 1 }
                master.dropStreams()
                try await eventually("a disconnection") { !log.disconnections.isEmpty }
                try await eventually("SUBSCRIBED again") { log.subscribedMasters.count == 2 }
                let subscribes = master.subscribes
                #expect(subscribes.count == 2)
                #expect(subscribes.first?.call.subscribe?.frameworkInfo.id == nil)
                #expect(subscribes.last?.call.subscribe?.frameworkInfo.id == "fw-1")
                #expect(subscribes.last?.call.frameworkID == "fw-1")
                #expect(await client.frameworkID == "fw-1")
            }
        }
    }

    @Test func silentMasterTripsTheHeartbeatWatchdog() async throws {
        try await withMasters(1, heartbeatSeconds: 0.2) { masters in
            let master = masters[0]
            try await withClient(testConfiguration(masters: [master.address])) { _, log in
                try await eventually("a HEARTBEAT") { log.schedulerEvents.contains { $0.type == .heartbeat } }
                master.setSilent(true)
                try await eventually("the watchdog to disconnect") { !log.disconnections.isEmpty }
                #expect(log.disconnections.first?.contains("timedOut") == true)
                master.setSilent(false)
                try await eventually("SUBSCRIBED again") { log.subscribedMasters.count >= 2 }
                #expect(master.subscribes.last?.call.subscribe?.frameworkInfo.id == "fw-1")
            }
        }
    }

    /// A port on 127.0.0.1 with nothing listening: bound once, then closed.
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        return port
    }
}
