import CorralRaft
import CorralTestSupport
import Testing

@testable import CorralReplication

/// A command whose entry could not travel in one transport frame is refused before it
/// reaches the log: appended, it could never be replicated, and every follower would close
/// the connection on it for good.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct EntrySizeTests {
    @Test func aCommandTooLargeForOneFrameIsRefusedBeforeTheLog() async throws {
        let options = RaftServerOptions(tickInterval: .milliseconds(10), maxFrameBytes: 4096)
        try await withRaftCluster(options: options) { cluster in
            let leader = try await cluster.waitForStableLeader()
            let before = await cluster.status(leader).lastIndex
            do {
                _ = try await cluster.server(leader).propose(putCommand("big", String(repeating: "x", count: 4096)))
                Issue.record("a command larger than a frame was accepted")
            } catch let error as ReplicationError {
                #expect(error.code == .tooLarge, "\(error)")
                #expect(error.message.contains("4096"), "the message names the limit: \(error.message)")
            }
            #expect(await cluster.status(leader).lastIndex == before)
            _ = try await cluster.server(leader).propose(putCommand("small", String(repeating: "x", count: 3000)))
            #expect(try cluster.value("small", on: leader)?.count == 3000)
        }
    }
}
