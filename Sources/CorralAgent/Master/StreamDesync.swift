import CorralModel
import CorralScheduler
import CorralStore

/// The failpoint `agent.stream.desync` (a chaos fault; off unless `CORRAL_FAILPOINTS` arms
/// it): a middlebox on the agent's link that mixes up its upstream connections, as HTTP
/// response desync does, and delivers on the agent's stream from one master a record that
/// another master's stream carried in an older term. TCP alone never does this; it is the
/// one way a deposed leader's record reaches an agent that has heard its successor, and so
/// what the agent's term fence is for (`AgentConfiguration.fencesTerms`).
///
/// While the failpoint is armed the shell hands every record it reads to `carried`, which
/// keeps the latest ones that are not heartbeats. At a SUBSCRIBED of a newer term than the
/// last one seen there, if the failpoint fires, it returns the latest kept record from
/// another master in an older term, to be delivered right after, on the same stream; each
/// kept record is replayed at most once.
struct StreamDesync {
    private struct Record {
        var master: MasterAddress
        var event: AgentEvent
    }

    private var records: [Record] = []
    private var lastSubscribedTerm: UInt64 = 0
    static let kept = 16

    /// The record to deliver after `event`, which `master`'s stream just carried, if the
    /// failpoint fires now.
    mutating func carried(_ event: AgentEvent, from master: MasterAddress) -> AgentEvent? {
        guard Failpoints.isArmed else { return nil }
        var replay: AgentEvent?
        if event.type == .subscribed, event.term > lastSubscribedTerm {
            lastSubscribedTerm = event.term
            if let index = records.lastIndex(where: { $0.master != master && $0.event.term < event.term }),
                Failpoints.fires(Failpoints.agentStreamDesync)
            {
                replay = records.remove(at: index).event
            }
        }
        if event.type != .heartbeat {
            if records.count == Self.kept { records.removeFirst() }
            records.append(Record(master: master, event: event))
        }
        return replay
    }
}
