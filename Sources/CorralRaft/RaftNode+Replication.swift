// MARK: - The leader's side of replication

extension RaftNode {
    /// Appends new entries to the leader's log, sends them, then asks for the local write:
    /// the local disk write runs in parallel with replication (Raft thesis §10.2.1).
    @discardableResult
    mutating func appendLocal(_ payloads: [EntryPayload]) -> [Entry] {
        var index = log.lastIndex
        let entries = payloads.map { payload -> Entry in
            index += 1
            return Entry(term: term, index: index, payload: payload)
        }
        log.append(entries)
        leaderState.uncommittedBytes += entries.reduce(0) { $0 + $1.sizeBytes }
        adoptMembershipChanges(in: entries)
        for peer in leaderState.progress.keys.sorted() {
            sendAppends(to: peer)
        }
        effects.append(.persistEntries(entries))
        return entries
    }

    /// Sends as many appends to `peer` as its flow control allows.
    mutating func sendAppends(to peer: NodeID) {
        while sendAppend(to: peer, evenIfEmpty: false) {}
    }

    /// Sends one append (or starts a snapshot); returns whether more could follow.
    @discardableResult
    mutating func sendAppend(to peer: NodeID, evenIfEmpty: Bool) -> Bool {
        guard var progress = leaderState.progress[peer], !progress.isPaused else { return false }
        let prevIndex = progress.next - 1
        guard let prevTerm = log.term(at: prevIndex),
            let entries = log.entries(from: progress.next, maxBytes: config.maxMessageBytes)
        else {
            startSnapshot(to: peer)
            return false
        }
        if entries.isEmpty && !evenIfEmpty { return false }
        let request = AppendRequest(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commitIndex)
        send(Message(from: id, to: peer, term: term, body: .append(request)))
        switch progress.state {
        case .replicate:
            if let last = entries.last {
                progress.next = last.index + 1
                progress.inflights.add(last: last.index, bytes: entries.reduce(0) { $0 + $1.sizeBytes })
            }
        case .probe:
            progress.probeSent = true
        case .snapshot:
            break
        }
        leaderState.progress[peer] = progress
        return !entries.isEmpty && progress.state == .replicate
    }

    mutating func broadcastHeartbeat() {
        let context = leaderState.readContext
        for (peer, progress) in leaderState.progress.sorted(by: { $0.key < $1.key }) {
            let commit = min(progress.match, commitIndex)
            send(Message(from: id, to: peer, term: term, body: .heartbeat(commit: commit, readContext: context)))
        }
    }

    mutating func handleAppendResponse(from peer: NodeID, _ response: AppendResponse) {
        guard var progress = leaderState.progress[peer] else { return }
        progress.recentActive = true
        if response.rejected {
            var hint = response.hintIndex
            if response.hintTerm > 0 {
                hint = log.lastIndex(atOrBelow: response.hintIndex, withTermAtMost: response.hintTerm).index
            }
            if progress.decrease(rejected: response.index, hint: hint) {
                if progress.state == .replicate { progress.becomeProbe() }
                leaderState.progress[peer] = progress
                sendAppend(to: peer, evenIfEmpty: true)
            } else {
                leaderState.progress[peer] = progress
            }
            return
        }
        guard progress.update(match: response.index) else {
            leaderState.progress[peer] = progress
            return
        }
        switch progress.state {
        case .probe:
            progress.becomeReplicate()
        case .snapshot:
            if progress.match >= progress.snapshotIndex { progress.becomeProbe() }
        case .replicate:
            progress.inflights.free(through: progress.match)
        }
        leaderState.progress[peer] = progress
        maybeCommit()
        sendAppends(to: peer)
        if leaderState.transferee == peer && progress.match == log.lastIndex {
            send(Message(from: id, to: peer, term: term, body: .timeoutNow))
        }
    }

    mutating func handleHeartbeatResponse(from peer: NodeID, context: UInt64) {
        guard var progress = leaderState.progress[peer] else { return }
        progress.recentActive = true
        progress.probeSent = false
        if progress.state == .replicate && progress.inflights.isFull {
            progress.inflights.freeFirst()
        }
        var resendChunk = false
        if progress.state == .snapshot && progress.snapshotChunkOut {
            progress.snapshotStallCount += 1
            if progress.snapshotStallCount >= 3 {
                progress.snapshotChunkOut = false
                resendChunk = true
            }
        }
        leaderState.progress[peer] = progress
        if resendChunk {
            sendSnapshotChunk(to: peer)
        } else if progress.match < log.lastIndex {
            sendAppend(to: peer, evenIfEmpty: true)
        }
        if membership.voters.contains(peer) { confirmReads(from: peer, context: context) }
    }

    // MARK: - Snapshots to followers

    private mutating func startSnapshot(to peer: NodeID) {
        guard var progress = leaderState.progress[peer], let snapshot = latestSnapshot,
            snapshot.metadata.index + 1 >= log.firstIndex
        else { return }
        if snapshot.metadata.index > 0 && snapshot.data.isEmpty {
            requestSnapshotData()
            return
        }
        progress.becomeSnapshot(snapshot)
        leaderState.progress[peer] = progress
        sendSnapshotChunk(to: peer)
    }

    /// Asks the shell once for the data of the latest snapshot (see `.snapshotDataNeeded`).
    private mutating func requestSnapshotData() {
        guard !leaderState.snapshotDataRequested else { return }
        leaderState.snapshotDataRequested = true
        effects.append(.snapshotDataNeeded)
    }

    /// The snapshot a transfer to a follower in `progress` sends: the one pinned when it began.
    private func snapshotBeingSent(_ progress: Progress) -> Snapshot? {
        config.brokenRules.contains(.sendMetadataOnlySnapshot) ? latestSnapshot : progress.snapshot
    }

    mutating func sendSnapshotChunk(to peer: NodeID) {
        guard var progress = leaderState.progress[peer], progress.state == .snapshot,
            !progress.snapshotChunkOut, let snapshot = snapshotBeingSent(progress)
        else { return }
        if snapshot.metadata.index != progress.snapshotIndex {
            progress.snapshotIndex = snapshot.metadata.index
            progress.snapshotOffset = 0
        }
        let metadataOnly = snapshot.metadata.index > 0 && snapshot.data.isEmpty
        if metadataOnly && !config.brokenRules.contains(.sendMetadataOnlySnapshot) {
            // Never send a body without its data: start over once the data is there.
            progress.snapshotIndex = 0  // nothing was sent: probe from the match, not past the snapshot
            progress.becomeProbe()
            leaderState.progress[peer] = progress
            requestSnapshotData()
            return
        }
        let total = snapshot.data.count
        let start = min(progress.snapshotOffset, total)
        let end = min(start + max(1, config.snapshotChunkBytes), total)
        let chunk = SnapshotChunk(
            metadata: snapshot.metadata,
            offset: start,
            totalBytes: total,
            data: Array(snapshot.data[start..<end])
        )
        progress.snapshotChunkOut = true
        progress.snapshotStallCount = 0
        leaderState.progress[peer] = progress
        send(Message(from: id, to: peer, term: term, body: .installSnapshot(chunk)))
    }

    mutating func handleSnapshotAck(from peer: NodeID, _ ack: SnapshotAck) {
        guard var progress = leaderState.progress[peer] else { return }
        progress.recentActive = true
        if ack.installed {
            _ = progress.update(match: ack.index)
            if progress.state == .snapshot { progress.becomeProbe() }
            leaderState.progress[peer] = progress
            maybeCommit()
            sendAppend(to: peer, evenIfEmpty: true)
            return
        }
        guard progress.state == .snapshot, ack.index == progress.snapshotIndex,
            ack.term == snapshotBeingSent(progress)?.metadata.term
        else {
            leaderState.progress[peer] = progress
            return
        }
        progress.snapshotOffset = ack.nextOffset
        progress.snapshotChunkOut = false
        leaderState.progress[peer] = progress
        sendSnapshotChunk(to: peer)
    }

    // MARK: - Commit

    /// Advances the commit index to the highest index a quorum of voters holds durably,
    /// counting only entries of the current term (Raft §5.4.2). Returns whether it moved.
    @discardableResult
    mutating func maybeCommit() -> Bool {
        guard role == .leader, !membership.voters.isEmpty else { return false }
        let matches = membership.voters.map { voter -> UInt64 in
            voter == id ? log.durableIndex : leaderState.progress[voter]?.match ?? 0
        }.sorted(by: >)
        let candidate = matches[membership.quorum - 1]
        guard candidate > commitIndex else { return false }
        let countsPreviousTerms = config.brokenRules.contains(.commitPreviousTermByCounting)
        guard countsPreviousTerms || log.term(at: candidate) == term else { return false }
        let committed = log.entries(from: commitIndex + 1, maxBytes: .max, upTo: candidate) ?? []
        leaderState.uncommittedBytes = max(0, leaderState.uncommittedBytes - committed.reduce(0) { $0 + $1.sizeBytes })
        commitIndex = candidate
        committedInTerm()
        if !membership.voters.contains(id) && commitIndex >= configIndex {
            stepDownAfterRemoval()
        }
        return true
    }

    /// A leader removed from the voters leads until the change commits, then hands over to
    /// the voter furthest along, if it holds everything committed (an election is safe
    /// either way; this only saves the remaining voters an election timeout).
    private mutating func stepDownAfterRemoval() {
        let successor = leaderState.progress
            .filter { membership.voters.contains($0.key) }
            .max { ($0.value.match, $1.key) < ($1.value.match, $0.key) }
        if let successor, successor.value.match >= commitIndex {
            send(Message(from: id, to: successor.key, term: term, body: .timeoutNow))
        }
        becomeFollower(term: term, leader: 0)
    }

    mutating func maybeApply() {
        guard appliedIndex >= log.snapshotIndex else { return }  // a snapshot must be applied first
        let upTo = min(commitIndex, log.durableIndex)
        guard upTo > appliedIndex,
            let entries = log.entries(from: appliedIndex + 1, maxBytes: .max, upTo: upTo), !entries.isEmpty
        else { return }
        appliedIndex = upTo
        effects.append(.apply(entries))
    }
}
