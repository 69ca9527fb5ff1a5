import CorralMaster
import CorralModel
import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

extension RealMasters {
    /// How the master treats its clients' connections.
    @Suite(.serialized)
    struct ConnectionTests {
        @Test func aClientThatHalfClosesStillGetsItsAnswer() throws {
            let harness = try QuorumHarness(masters: 1)
            defer { harness.stopAll() }
            try harness.start(1)
            let client = try OperatorClient(harness.endpoint(1))
            client.send("GET", "/version", body: [], headers: [:])
            client.shutdownWrite()
            let (status, _) = try client.readHead()
            #expect(status == 200)
            #expect(String(decoding: try client.readToEnd(), as: UTF8.self).contains("1.11.0"))
        }

        /// Heartbeats are 60 s apart here, so only the closed connection itself can end the
        /// subscription in time: the framework (fail-over timeout 0) is removed long before a
        /// heartbeat write could have failed.
        @Test func aSchedulerThatClosesItsConnectionIsDisconnectedAtOnce() async throws {
            try await offCooperativePool {
                let harness = try QuorumHarness(masters: 1, config: "[scheduling]\nheartbeat_interval_seconds = 60\n")
                defer { harness.stopAll() }
                try harness.start(1)
                let recorder = try FrameworkFailoverTests.recorder([harness.endpoint(1)], failoverTimeoutSeconds: 0)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await recorder.run() }
                    try await eventually("SUBSCRIBED", seconds: 20) { await recorder.subscriptions.count == 1 }
                    let id = try #require(await recorder.subscriptions.first?.0)
                    #expect(try FrameworkFailoverTests.isActive(id, harness) == true)
                    await recorder.client.stop()
                    let stopped = ContinuousClock.now
                    try await eventually("the framework is removed", seconds: 30) {
                        try FrameworkFailoverTests.isActive(id, harness) == nil
                    }
                    #expect(ContinuousClock.now - stopped < .seconds(30), "well before the first heartbeat")
                    group.cancelAll()
                }
            }
        }
    }
}
