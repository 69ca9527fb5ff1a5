@testable import CorralMaster
import CorralModel
import Testing

/// A task record keeps its fields in one copy-on-write box: copies are still values, and it
/// encodes, compares and hashes as its fields do.
@Suite("Task records")
struct TaskRecordTests {
    static var record: TaskRecord {
        let info = Fixture.taskInfo("t1")
        return TaskRecord(
            key: TaskKey(FrameworkID("f1"), info.taskID), agentID: AgentID("a1"), role: "web", info: info,
            executor: nil, state: .staging,
            status: TaskStatus(taskID: info.taskID, state: .staging, source: .master, agentID: AgentID("a1")),
            pending: [], recentUUIDs: [], launchedAtNanos: 7)
    }

    @Test func aCopyDoesNotSeeLaterChanges() {
        let original = Self.record
        var copy = original
        copy.state = .running
        copy.pending.append(copy.status)
        #expect(original.state == .staging && original.pending.isEmpty)
        #expect(copy != original)
        copy.state = .staging
        copy.pending = []
        #expect(copy == original && Set([copy, original]).count == 1)
    }

    @Test func itEncodesAsItsFields() throws {
        let record = Self.record
        #expect(try MesosJSON.encode(record) == MesosJSON.encode(record.fields))
        #expect(try MesosJSON.decode(TaskRecord.self, from: MesosJSON.encode(record)) == record)
    }
}
