import CorralHistory
import Synchronization
import Testing

@Suite struct HistoryRecorderTests {
    final class ManualClock: Sendable {
        let nanos = Atomic<UInt64>(0)
        func advance() -> UInt64 { nanos.add(10, ordering: .relaxed).newValue }
    }

    @Test func recordsTimesOutcomesAndOpenOperations() {
        let manual = ManualClock()
        let recorder = HistoryRecorder(clock: { manual.advance() })
        let write = recorder.invoke(process: 1, .write, key: "k", value: "v")
        let read = recorder.invoke(process: 2, .read, key: "k", value: "ignored")
        let open = recorder.invoke(process: 3, .write, key: "k", value: "w")
        let lost = recorder.invoke(process: 4, .read, key: "k")
        recorder.complete(write, .ok)
        recorder.complete(read, .ok, readValue: "v")
        recorder.complete(lost, .fail, readValue: "bogus")
        let operations = recorder.history().operations
        // Ids are the tokens `invoke` returned.
        #expect(operations.map(\.id) == [write, read, open, lost])
        #expect(operations[write].outcome == .ok && operations[write].invokeNanos == 10 && operations[write].completeNanos == 50)
        #expect(operations[read].value == "v")
        #expect(operations[open].outcome == .info && operations[open].completeNanos == nil, "still open: indeterminate")
        #expect(operations[lost].value == nil, "a failed read observed nothing")
        #expect(recorder.history().summary == "writes ok 1 fail 0 info 1, reads ok 1 fail 1 info 0")
    }
}
