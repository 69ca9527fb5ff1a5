import CorralRaft

extension InvariantChecker {
    // MARK: - Applied state

    /// `node` applied `entry` and its hash chain is now `chain`. Every node must apply
    /// the same entry, with the same chain, at every index.
    public mutating func observeApply(_ node: NodeID, index: UInt64, entryHash: UInt64, chain: UInt64) {
        recordApplied(node, index: index, entryHash: entryHash, chain: chain)
    }

    /// `node` installed a snapshot whose state has hash chain `chain` at `index`.
    public mutating func observeSnapshotApplied(_ node: NodeID, index: UInt64, chain: UInt64) {
        recordApplied(node, index: index, entryHash: nil, chain: chain)
    }

    private mutating func recordApplied(_ node: NodeID, index: UInt64, entryHash: UInt64?, chain: UInt64) {
        let slot = Int(index)
        while appliedChains.count <= slot {
            appliedChains.append(nil)
            appliedEntries.append(nil)
        }
        if let entryHash {
            if let recorded = appliedEntries[slot], recorded != entryHash {
                report(.appliedPrefix, "n\(node) applied a different entry at index \(index)")
            } else {
                appliedEntries[slot] = entryHash
            }
        }
        if let recorded = appliedChains[slot] {
            if recorded != chain {
                report(.appliedPrefix, "n\(node)'s applied state diverges at index \(index)")
            }
        } else {
            appliedChains[slot] = chain
        }
    }

    /// The chain applied at `index`, if any node applied it.
    public func appliedChain(at index: UInt64) -> UInt64? {
        Int(index) < appliedChains.count ? appliedChains[Int(index)] : nil
    }

    /// The hash of the entry applied at `index`, if any node applied it.
    func appliedEntry(at index: UInt64) -> UInt64? {
        Int(index) < appliedEntries.count ? appliedEntries[Int(index)] : nil
    }

    // MARK: - Acknowledgements and reads

    /// The command `command` was acknowledged: its proposer applied it at `index`.
    public mutating func observeAck(command: UInt64, index: UInt64, entryHash: UInt64) {
        acks.append(Ack(command: command, index: index, entryHash: entryHash))
        maxAckedIndex = max(maxAckedIndex, index)
    }

    /// A read was issued; it must later be served at or after every acknowledged write.
    public mutating func observeReadIssued(_ id: UInt64) {
        pendingReads[id] = maxAckedIndex
    }

    /// The read `id` became ready at `index`.
    public mutating func observeReadReady(_ id: UInt64, index: UInt64, node: NodeID) {
        guard let watermark = pendingReads.removeValue(forKey: id) else { return }
        if index < watermark {
            report(
                .linearizableRead,
                "read \(id) served by n\(node) at index \(index), but a write at index \(watermark) was acknowledged before it was issued"
            )
        }
    }

    /// The read `id` will never be ready.
    public mutating func observeReadRejected(_ id: UInt64) {
        pendingReads[id] = nil
    }

    /// End of run: every live node must have applied every acknowledged command, and the
    /// applied record must still hold each acknowledged entry.
    public mutating func checkFinal(liveNodes: [(id: NodeID, appliedIndex: UInt64, chain: UInt64)]) {
        for ack in acks where appliedEntry(at: ack.index) != ack.entryHash {
            report(.lostAcknowledgement, "acknowledged command \(ack.command) at index \(ack.index) is not what was applied there")
        }
        for node in liveNodes {
            if node.appliedIndex < maxAckedIndex {
                report(
                    .lostAcknowledgement,
                    "n\(node.id) applied only through \(node.appliedIndex); a command at \(maxAckedIndex) was acknowledged"
                )
            }
            if let chain = appliedChain(at: node.appliedIndex), chain != node.chain {
                report(.appliedPrefix, "n\(node.id)'s final state diverges at index \(node.appliedIndex)")
            }
        }
    }
}
