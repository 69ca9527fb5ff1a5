import CorralRaft
import Testing

@testable import CorralSimulation

/// The simulator's parts on their own: generators, the event queue, the disk, the network.
@Suite struct ComponentTests {
    @Test func streamsAreIndependentAndReproducible() {
        var a = SimulationRNG(seed: 5, stream: "network")
        var b = SimulationRNG(seed: 5, stream: "network")
        var c = SimulationRNG(seed: 5, stream: "faults")
        let first = (0..<4).map { _ in a.next() }
        #expect(first == (0..<4).map { _ in b.next() })
        #expect(first != (0..<4).map { _ in c.next() })
        var zero = SimulationRNG(seed: 0)
        #expect(zero.next() != 0)
    }

    @Test func eventQueueOrdersByTimeThenKey() {
        var queue = EventQueue<String>()
        queue.push("late", at: 30, key: 0)
        queue.push("b", at: 10, key: 2)
        queue.push("a", at: 10, key: 1)
        queue.push("early", at: 5, key: 9)
        var order: [String] = []
        while let (_, payload) = queue.pop() { order.append(payload) }
        #expect(order == ["early", "a", "b", "late"])
    }

    static func write(_ sequence: UInt64, _ operation: RaftStorageWrite.Operation) -> RaftStorageWrite {
        RaftStorageWrite(sequence: sequence, operation: operation)
    }

    @Test func diskCompletesInOrderAndLosesPendingWritesOnCrash() {
        var disk = SimulatedDisk(.bootstrap(voters: [1, 2, 3]))
        let entries = [Entry(term: 1, index: 1, payload: .empty), Entry(term: 1, index: 2, payload: .empty)]
        let first = disk.submit(Self.write(1, .batch(RaftWriteBatch(entries: entries))), now: 0, delayMicros: 500, fails: false)
        let second = disk.submit(Self.write(2, .batch(RaftWriteBatch(hardState: HardState(term: 1, vote: 1, commit: 2)))), now: 0, delayMicros: 100, fails: false)
        #expect(second.completesAt >= first.completesAt)
        #expect(disk.complete(sequence: second.sequence) == nil)
        #expect(disk.complete(sequence: first.sequence)?.error == nil)
        #expect(disk.durable.entries.count == 2)
        disk.crash()
        #expect(disk.complete(sequence: second.sequence) == nil)
        #expect(disk.durable.hardState == HardState())
    }

    @Test func diskReportsAGapAndFollowsTheSnapshotRule() {
        var disk = SimulatedDisk(.bootstrap(voters: [1]))
        let gap = disk.submit(Self.write(1, .batch(RaftWriteBatch(entries: [Entry(term: 1, index: 3, payload: .empty)]))), now: 0, delayMicros: 1, fails: false)
        #expect(disk.complete(sequence: gap.sequence)?.error != nil)
        let log = (1...4).map { Entry(term: 1, index: UInt64($0), payload: .empty) }
        let append = disk.submit(Self.write(2, .batch(RaftWriteBatch(entries: log))), now: 0, delayMicros: 1, fails: false)
        _ = disk.complete(sequence: append.sequence)
        let matching = Snapshot(metadata: SnapshotMetadata(index: 2, term: 1, membership: Membership(voters: [1])), data: [])
        let keep = disk.submit(Self.write(3, .batch(RaftWriteBatch(snapshot: matching))), now: 0, delayMicros: 1, fails: false)
        _ = disk.complete(sequence: keep.sequence)
        #expect(disk.durable.entries.count == 4)
        let other = Snapshot(metadata: SnapshotMetadata(index: 3, term: 2, membership: Membership(voters: [1])), data: [])
        let drop = disk.submit(Self.write(4, .batch(RaftWriteBatch(snapshot: other))), now: 0, delayMicros: 1, fails: false)
        _ = disk.complete(sequence: drop.sequence)
        #expect(disk.durable.entries.isEmpty)
    }

    @Test func networkCutsAndClogs() {
        var network = SimulatedNetwork(nodeCount: 3, seed: 1, faults: .none)
        let message = Message(from: 1, to: 2, term: 1, body: .timeoutNow)
        #expect(network.send(message, now: 0).count == 1)
        network.setCut(from: 1, to: 2, true)
        #expect(network.send(message, now: 0).isEmpty)
        #expect(network.send(Message(from: 2, to: 1, term: 1, body: .timeoutNow), now: 0).count == 1)
        network.healCuts()
        network.clog(from: 1, to: 2)
        #expect(network.send(message, now: 0).isEmpty)
        #expect(network.send(message, now: 0).isEmpty)
        let released = network.unclog(from: 1, to: 2, now: 1_000)
        #expect(released.count == 2)
        #expect(released.allSatisfy { $0.time > 1_000 })
    }

    @Test func stateMachineSnapshotRoundTrips() throws {
        var machine = SimulatedStateMachine(membership: Membership(voters: [1, 2, 3]))
        for index in 1...30 {
            machine.apply(Entry(term: 1, index: UInt64(index), payload: .command(Command.bytes(id: UInt64(index), fillerBytes: 3))))
        }
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 30, term: 1, membership: machine.membership),
            data: machine.serialized()
        )
        #expect(snapshot.data.count > 64 * 3)
        let restored = try #require(SimulatedStateMachine.restore(from: snapshot))
        #expect(restored == machine)
        var wrongIndex = snapshot
        wrongIndex.metadata.index = 29
        #expect(SimulatedStateMachine.restore(from: wrongIndex) == nil)
    }
}

/// The node shell's start rules, as in `RaftServer.init`.
@Suite struct NodeShellStartTests {
    private func shell(_ state: RaftPersistentState) -> NodeShell {
        NodeShell(id: 1, config: RaftConfig(id: 1), state: state, seed: 1, snapshotInterval: 8, trailingEntries: 2)
    }

    private func snapshot(at index: UInt64, data: [UInt8]) -> Snapshot {
        Snapshot(metadata: SnapshotMetadata(index: index, term: 1, membership: Membership(voters: [1])), data: data)
    }

    @Test func aWipedMemberRefusesToStart() {
        let node = shell(.bootstrap(voters: [1]))
        guard case .ready(nil) = node.checkStart() else {
            Issue.record("a bootstrapped member must start")
            return
        }
        node.crash(powerLoss: false)
        node.disk.wipe()
        guard case .refuse(let reason) = node.checkStart() else {
            Issue.record("a wiped member must refuse to start")
            return
        }
        #expect(reason.contains("wiped"))
        node.hasIdentity = false
        guard case .ready = node.checkStart() else {
            Issue.record("a member joining afresh (no identity yet) starts empty")
            return
        }
    }

    @Test func aStateMachineBehindAMetadataOnlySnapshotCannotStart() {
        var machine = SimulatedStateMachine(membership: Membership(voters: [1]))
        for index in 1...4 { machine.apply(Entry(term: 1, index: UInt64(index), payload: .empty)) }
        let whole = shell(RaftPersistentState(snapshot: snapshot(at: 4, data: machine.serialized())))
        guard case .ready(let restore?) = whole.checkStart() else {
            Issue.record("a state machine behind a whole snapshot is restored from it")
            return
        }
        #expect(restore.metadata.index == 4)
        let metadataOnly = shell(RaftPersistentState(snapshot: snapshot(at: 4, data: [])))
        guard case .refuse(let reason) = metadataOnly.checkStart() else {
            Issue.record("a state machine behind a metadata-only snapshot cannot be brought up")
            return
        }
        #expect(reason.contains("metadata-only"))
        metadataOnly.machine = machine
        guard case .ready(nil) = metadataOnly.checkStart() else {
            Issue.record("a state machine at the snapshot needs no restore")
            return
        }
    }

    @Test func aPowerLossFallsBackToTheLastSync() {
        let node = shell(.bootstrap(voters: [1]))
        node.machine.apply(Entry(term: 1, index: 1, payload: .empty))
        node.syncMachine()
        node.machine.apply(Entry(term: 1, index: 2, payload: .empty))
        node.crash(powerLoss: false)
        #expect(node.machine.appliedIndex == 2)
        node.crash(powerLoss: true)
        #expect(node.machine.appliedIndex == 1)
    }
}
