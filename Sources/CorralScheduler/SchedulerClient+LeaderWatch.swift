extension SchedulerClient {
    /// While subscribed, every `interval`: first learns from the stream's own master the term
    /// in which it leads, then asks the other masters in turn who leads. One that names a
    /// leader elsewhere in a newer term means the stream's master was deposed (terms only
    /// grow): the stream is closed and the next SUBSCRIBE goes to that leader. Scheduler events
    /// carry no term, hence the first question. Ends when the task is cancelled.
    func watchLeader(every interval: Duration) async {
        var turn = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            guard case .subscribed(let session) = state else { continue }
            guard let known = sessionTerm, known.streamID == session.streamID else {
                if let own = await LeaderReport.fetch(from: session.master, client: watchHTTP, authorization: configuration.credentials?.authorization), own.address == session.master {
                    sessionTerm = (session.streamID, own.term)
                }
                continue
            }
            let others = rotation.masters.filter { $0 != session.master }
            guard !others.isEmpty else { continue }
            let asked = others[turn % others.count]
            turn += 1
            guard let report = await LeaderReport.fetch(from: asked, client: watchHTTP, authorization: configuration.credentials?.authorization), report.term > known.term,
                report.address != session.master, case .subscribed(let current) = state, current.streamID == session.streamID
            else { continue }
            logger.warning(
                "the stream's master no longer leads; subscribing to the new leader",
                metadata: [
                    "master": "\(session.master)", "term": "\(known.term)", "leader": "\(report.address.map { "\($0)" } ?? "?")",
                    "leader_term": "\(report.term)", "reported_by": "\(asked)",
                ])
            if let address = report.address { redirectHint = address }
            session.control.close()
        }
    }
}
