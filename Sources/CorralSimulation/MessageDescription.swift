import CorralRaft

extension SimulationEngine {
    /// A small number per message kind, for the trace hash.
    func bodyCode(_ body: MessageBody) -> UInt64 {
        switch body {
        case .preVote: return 1
        case .preVoteResponse: return 2
        case .vote: return 3
        case .voteResponse: return 4
        case .append: return 5
        case .appendResponse: return 6
        case .heartbeat: return 7
        case .heartbeatResponse: return 8
        case .installSnapshot: return 9
        case .snapshotResponse: return 10
        case .timeoutNow: return 11
        }
    }

    /// A message body for the readable trace (never the payload bytes).
    func describe(_ body: MessageBody) -> String {
        switch body {
        case .preVote(let lastIndex, let lastTerm): return "preVote last \(lastIndex)/\(lastTerm)"
        case .preVoteResponse(let granted): return "preVoteResponse \(granted ? "granted" : "refused")"
        case .vote(let lastIndex, let lastTerm, let transfer):
            return "vote last \(lastIndex)/\(lastTerm)\(transfer ? " transfer" : "")"
        case .voteResponse(let granted): return "voteResponse \(granted ? "granted" : "refused")"
        case .append(let request):
            let range = request.entries.isEmpty ? "none" : "\(request.entries[0].index)…\(request.entries[request.entries.count - 1].index)"
            return "append prev \(request.prevIndex)/\(request.prevTerm) entries \(range) commit \(request.commit)"
        case .appendResponse(let response):
            return response.rejected
                ? "appendResponse rejected \(response.index) hint \(response.hintIndex)/\(response.hintTerm)"
                : "appendResponse ok \(response.index)"
        case .heartbeat(let commit, let context): return "heartbeat commit \(commit) ctx \(context)"
        case .heartbeatResponse(let context): return "heartbeatResponse ctx \(context)"
        case .installSnapshot(let chunk):
            return "installSnapshot \(chunk.metadata.index)/\(chunk.metadata.term) bytes \(chunk.offset)+\(chunk.data.count)/\(chunk.totalBytes)"
        case .snapshotResponse(let ack):
            return "snapshotResponse \(ack.index)/\(ack.term) next \(ack.nextOffset)\(ack.installed ? " installed" : "")"
        case .timeoutNow: return "timeoutNow"
        }
    }
}
