import CorralModel
import CorralTestSupport
import Testing

@testable import CorralAgent

/// The agent shell's group commit: nothing overtakes a checkpoint write asked for before it,
/// and writes that come in while one is on disk go out together as the next transaction.
@Suite struct DurableQueueTests {
    typealias Queue = DurableQueue<String>

    static func change(_ sequence: UInt64) -> CheckpointChange { .removeUpdate(sequence: sequence) }

    @Test func itemsWithNoWriteBeforeThemRunAtOnce() {
        var queue = Queue()
        let step = queue.submit([.item("a"), .item("b")])
        #expect(step.run == ["a", "b"])
        #expect(step.write == nil)
        #expect(!queue.isWriting)
    }

    @Test func anItemAfterAWriteWaitsUntilTheWriteIsDurable() {
        var queue = Queue()
        let first = queue.submit([.item("before"), .write([Self.change(1)]), .item("post")])
        #expect(first.run == ["before"])
        #expect(first.write == [Self.change(1)])
        #expect(queue.heldCount == 2)
        let done = queue.written()
        #expect(done.run == ["post"])
        #expect(done.write == nil)
        #expect(queue.heldCount == 0)
    }

    @Test func writesAskedForDuringATransactionGoOutTogetherNext() {
        var queue = Queue()
        _ = queue.submit([.write([Self.change(1)]), .item("post 1")])
        // Three more steps arrive while the first transaction is on disk.
        #expect(queue.submit([.write([Self.change(2)]), .item("post 2")]).write == nil)
        #expect(queue.submit([.item("log")]).run.isEmpty, "an item behind a transaction in flight waits")
        #expect(queue.submit([.write([Self.change(3), Self.change(4)]), .item("post 3")]).run.isEmpty)
        let first = queue.written()
        #expect(first.run == ["post 1"])
        #expect(first.write == [Self.change(2), Self.change(3), Self.change(4)], "one transaction for three steps")
        let second = queue.written()
        #expect(second.run == ["post 2", "log", "post 3"])
        #expect(second.write == nil)
        #expect(!queue.isWriting)
    }

    @Test func writtenWithNothingInFlightDoesNothing() {
        var queue = Queue()
        let step = queue.written()
        #expect(step.run.isEmpty)
        #expect(step.write == nil)
    }

    /// Whatever the interleaving of steps and completions, items come out in the order they
    /// went in, and each only after every write submitted before it was part of a completed
    /// transaction.
    @Test(arguments: [1, 2, 3, 42, 1234] as [UInt64])
    func orderAndDurabilityHoldForRandomInterleavings(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var queue = Queue()
        var nextSequence: UInt64 = 0
        var durable: UInt64 = 0  // every sequence <= durable is on disk
        var inFlight: [CheckpointChange]?
        var neededBy: [String: UInt64] = [:]
        var ran: [String] = []
        var submitted: [String] = []
        func apply(_ step: Queue.Step) {
            for item in step.run {
                #expect((neededBy[item] ?? 0) <= durable, "\(item) ran before its write was durable")
                ran.append(item)
            }
            if let write = step.write {
                #expect(inFlight == nil, "two transactions at once")
                inFlight = write
            }
        }
        for round in 0..<300 {
            if inFlight != nil && random.next() % 3 == 0 {
                if case .removeUpdate(let highest)? = inFlight?.last { durable = max(durable, highest) }
                inFlight = nil
                apply(queue.written())
                continue
            }
            var entries: [Queue.Entry] = []
            for index in 0..<Int(random.next() % 4) {
                if random.next() % 2 == 0 {
                    nextSequence += 1
                    entries.append(.write([Self.change(nextSequence)]))
                } else {
                    let name = "\(round).\(index)"
                    neededBy[name] = nextSequence
                    submitted.append(name)
                    entries.append(.item(name))
                }
            }
            apply(queue.submit(entries))
        }
        while inFlight != nil {
            if case .removeUpdate(let highest)? = inFlight?.last { durable = max(durable, highest) }
            inFlight = nil
            apply(queue.written())
        }
        #expect(ran == submitted)
        #expect(queue.heldCount == 0)
    }
}
