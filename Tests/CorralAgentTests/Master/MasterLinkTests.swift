import CorralTestSupport
import CorralModel
import CorralScheduler
import Foundation
import Testing

@testable import CorralAgent

/// `MasterLink` against real `corral master` processes; serialized, so two quorums never
/// compete for the two cores.
@Suite(.serialized, .offCooperativePool) struct MasterLinkTests {
    static let timeouts = MasterLink.Timeouts(
        connect: .seconds(1), request: .seconds(5), streamSilence: .seconds(10),
        initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(200))

    static func subscribeCall(agentID: AgentID? = nil, highestTerm: UInt64 = 0, version: Int = 1) -> AgentCall {
        var info = AgentInfo(hostname: "link-test", resources: [.scalar("cpus", 2), .scalar("mem", 1024)])
        info.id = agentID
        var call = AgentCall(type: .subscribe, agentID: agentID)
        call.subscribe = AgentCall.Subscribe(agentInfo: info, highestTerm: highestTerm, version: version)
        return call
    }

    /// The first event of a subscription, which must be SUBSCRIBED.
    static func subscribed(_ subscription: MasterSubscription) async throws -> (AgentID, UInt64) {
        var events = subscription.events.makeAsyncIterator()
        let event = try #require(try await events.next())
        #expect(event.type == .subscribed)
        let payload = try #require(event.subscribed)
        return (payload.agentID, event.term)
    }

    static func attempt(_ link: MasterLink, _ call: AgentCall) async -> Result<MasterSubscription, MasterLinkError> {
        do {
            return .success(try await link.subscribe(call))
        } catch {
            return .failure(error)
        }
    }

    @Test func followsTheLeaderAcrossAFailOver() async throws {
        let quorum = try MasterQuorum(masters: 3)
        defer { quorum.stopAll() }
        try await quorum.startAll()
        let leader = try await quorum.leader()
        let follower = try #require(quorum.ports.keys.sorted().first { $0 != leader })
        let order = [follower] + quorum.ports.keys.sorted().filter { $0 != follower }
        let link = MasterLink(masters: order.map(quorum.address), timeouts: Self.timeouts, attemptsPerSubscribe: 30, seed: 7)

        // SUBSCRIBE to a follower: redirected to the leader, which admits the agent.
        let first = try await link.subscribe(Self.subscribeCall())
        #expect(first.master == quorum.address(leader))
        #expect(!first.streamID.isEmpty)
        var events = first.events.makeAsyncIterator()
        let subscribed = try #require(try await events.next())
        #expect(subscribed.type == .subscribed)
        let agentID = try #require(subscribed.subscribed?.agentID)
        #expect(subscribed.term > 0)

        // HEARTBEAT and UPDATE are accepted (an unknown task's update too); a wrong stream is refused.
        #expect(await link.post(AgentCall(type: .heartbeat, agentID: agentID), streamID: first.streamID) == .accepted)
        var update = AgentCall(type: .update, agentID: agentID)
        update.update = AgentCall.TaskReport(
            frameworkID: FrameworkID("no-such-framework"),
            status: TaskStatus(taskID: TaskID("no-such-task"), state: .running, source: .executor, uuid: Array(UUID().uuidString.utf8)))
        #expect(await link.post(update, streamID: first.streamID) == .accepted)
        let wrong = await link.post(AgentCall(type: .heartbeat, agentID: agentID), streamID: "not-the-stream")
        guard case .refused(let status, let message) = wrong else {
            Issue.record("a wrong stream id was answered \(wrong)")
            return
        }
        #expect(status == 403)
        #expect(message.contains("not subscribed"))

        // The leader dies: the stream ends with an error, and re-subscribing with the same ID
        // reaches the new leader.
        quorum.kill(leader)
        await #expect(throws: MasterLinkError.self) {
            while try await events.next() != nil {}
        }
        let failed = await link.post(AgentCall(type: .heartbeat, agentID: agentID), streamID: first.streamID)
        guard case .failed(let error) = failed else {
            Issue.record("a HEARTBEAT to a dead master was answered \(failed)")
            return
        }
        #expect(error.code == .connectionFailed)

        var second: MasterSubscription?
        let deadline = ContinuousClock.now + .seconds(10)
        while second == nil, ContinuousClock.now < deadline {
            // While the quorum elects, each call gives up after its attempts; the caller tries again.
            switch await Self.attempt(link, Self.subscribeCall(agentID: agentID, highestTerm: subscribed.term)) {
            case .success(let subscription): second = subscription
            case .failure(let error): #expect(!error.isRefusal, "\(error)")
            }
        }
        let again = try #require(second, "no new leader took the agent back within 10 s\n\(quorum.logs())")
        defer { again.close() }
        #expect(again.master != quorum.address(leader))
        let (sameID, newTerm) = try await Self.subscribed(again)
        #expect(sameID == agentID)
        #expect(newTerm > subscribed.term)
        #expect(await link.post(AgentCall(type: .heartbeat, agentID: agentID), streamID: again.streamID) == .accepted)

        // A SUBSCRIBE the master refuses (4xx) is thrown at once, not retried.
        await #expect {
            _ = try await link.subscribe(Self.subscribeCall(agentID: agentID, highestTerm: newTerm, version: 2))
        } throws: { error in
            guard let error = error as? MasterLinkError else { return false }
            return error.code == .refused && error.status == 400 && error.message.contains("version 2")
        }
    }

    @Test func stopsAfterItsAttemptsWhenNoMasterAnswers() async throws {
        let masters = try (0..<2).map { _ in try #require(MasterAddress("127.0.0.1:\(try LoopbackPort.free())")) }
        let link = MasterLink(masters: masters, timeouts: Self.timeouts, attemptsPerSubscribe: 3, seed: 1)
        #expect(await link.post(AgentCall(type: .heartbeat), streamID: "s") == .failed(
            MasterLinkError(.notSubscribed, "HEARTBEAT has no master to go to: subscribe first")))
        await #expect {
            _ = try await link.subscribe(Self.subscribeCall())
        } throws: { error in
            guard let error = error as? MasterLinkError else { return false }
            return error.code == .connectionFailed && error.message.contains("in 3 attempts")
        }
        await #expect {
            _ = try await link.subscribe(AgentCall(type: .heartbeat))
        } throws: { error in
            (error as? MasterLinkError)?.code == .invalidCall
        }
    }
}
