import CorralStore
import Testing

@Suite("Failpoint grammar")
struct FailpointParseTests {
    @Test("a list of failpoints with every action and option reads back as written")
    func parsesEveryForm() throws {
        let points = try Failpoint.parse(" raft.fsync=sleep(300ms) ; lmdb.commit=error(ENOSPC)@p=0.1,count=5;raft.snapshot.write=abort@path=/tmp/x;")
        #expect(points == [
            Failpoint(name: "raft.fsync", action: .sleep(.milliseconds(300))),
            Failpoint(name: "lmdb.commit", action: .error(28), probability: 0.1, count: 5),
            Failpoint(name: "raft.snapshot.write", action: .abort, pathPrefix: "/tmp/x"),
        ])
        #expect(points.map(\.description) == [
            "raft.fsync=sleep(300ms)", "lmdb.commit=error(ENOSPC)@p=0.1,count=5", "raft.snapshot.write=abort@path=/tmp/x",
        ])
        #expect(try Failpoint.parse(points.map(\.description).joined(separator: ";")) == points)
    }

    @Test("durations in us, ms and s; errno by number")
    func unitsAndNumbers() throws {
        #expect(try Failpoint.parse("raft.fsync=sleep(250us)").first?.action == .sleep(.microseconds(250)))
        #expect(try Failpoint.parse("raft.fsync=sleep(2s)").first?.action == .sleep(.seconds(2)))
        #expect(try Failpoint.parse("lmdb.commit=error(5)").first?.action == .error(5))
        #expect(try Failpoint.parse("") == [])
        #expect(try Failpoint.parse(" ; ") == [])
        #expect(try Failpoint.parse("agent.stream.desync=trigger@count=2") == [Failpoint(name: "agent.stream.desync", action: .trigger, count: 2)])
    }

    @Test(
        "a bad value names the variable and the bad part, and says what was expected",
        arguments: [
            ("raft.fsync", "raft.fsync", "no '='"),
            ("raft.fsink=sleep(1ms)", "raft.fsink=sleep(1ms)", "unknown failpoint 'raft.fsink'; the known ones are agent.stream.desync, lmdb.commit, raft.fsync"),
            ("agent.stream.desync=abort", "agent.stream.desync=abort", "agent.stream.desync takes the action trigger"),
            ("raft.fsync=trigger", "raft.fsync=trigger", "trigger is only for agent.stream.desync; raft.fsync takes sleep(DURATION)"),
            ("raft.fsync=slep(3ms)", "raft.fsync=slep(3ms)", "unknown action 'slep(3ms)'"),
            ("raft.fsync=sleep(3)", "raft.fsync=sleep(3)", "bad duration '3'"),
            ("raft.fsync=sleep(-3ms)", "raft.fsync=sleep(-3ms)", "bad duration '-3ms'"),
            ("lmdb.commit=error(ENOSPACE)", "lmdb.commit=error(ENOSPACE)", "bad errno 'ENOSPACE'"),
            ("lmdb.commit=error(0)", "lmdb.commit=error(0)", "bad errno '0'"),
            ("raft.fsync=abort;lmdb.commit=abort@p=1.5", "lmdb.commit=abort@p=1.5", "bad probability '1.5'"),
            ("lmdb.commit=abort@count=0", "lmdb.commit=abort@count=0", "bad count '0'"),
            ("lmdb.commit=abort@every=2", "lmdb.commit=abort@every=2", "unknown option 'every=2'"),
        ])
    func badValues(value: String, part: String, problem: String) {
        do {
            let points = try Failpoint.parse(value)
            Issue.record("\(value) parsed as \(points)")
        } catch {
            #expect(error.part == part)
            #expect(error.problem.hasPrefix(problem), "\(error.problem)")
            #expect(error.description.hasPrefix("CORRAL_FAILPOINTS: '\(part)': \(problem)"), "\(error)")
        }
    }
}
