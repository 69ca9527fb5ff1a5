import CorralChaos
import Testing

/// The "no agent acts on a deposed leader's record" check, read from an agent's log.
@Suite struct AgentTermsTests {
    static func took(_ type: String, _ term: Int) -> String {
        "2026-12-05T05:00:00+0000 info corral.agent: term=\(term) type=\(type) [CorralAgent] took a record from the leader"
    }

    static let replay =
        "2026-12-05T05:00:01+0000 warning corral.agent: master=10.0.0.2:5050 stream_term=3 term=2 type=LAUNCH failpoint agent.stream.desync: replaying a record of an older term on this stream"

    @Test func termsThatOnlyGrowPass() {
        let log = [
            Self.took("SUBSCRIBED", 1), Self.took("LAUNCH", 1), Self.took("SUBSCRIBED", 3), Self.replay,
            Self.took("KILL", 3),
        ]
        let terms = AgentTerms.parse(log: log.joined(separator: "\n"), agent: 1)
        #expect(terms.violations.isEmpty)
        #expect(terms.replays == 1)
    }

    @Test func aRecordOfAnOlderTermTakenLaterIsAViolation() {
        let log = [
            Self.took("SUBSCRIBED", 2), Self.took("SUBSCRIBED", 3), Self.replay, Self.took("LAUNCH", 2),
            Self.took("LAUNCH", 3),
        ]
        let terms = AgentTerms.parse(log: log.joined(separator: "\n"), agent: 2)
        #expect(
            terms.violations == [
                "agent 2 took a LAUNCH of term 2 after one of term 3: it acted on a deposed leader's record"
            ]
        )
    }
}
