import CorralHistory
import Testing

/// Small histories whose verdict is known by hand.
@Suite struct HandWrittenHistoryTests {
    let checker = LinearizabilityChecker()

    private func op(
        _ process: Int, _ kind: ClientOperation.Kind, _ value: String?, _ outcome: ClientOperation.Outcome = .ok,
        _ invoke: UInt64, _ complete: UInt64?, key: String = "x"
    ) -> ClientOperation {
        ClientOperation(process: process, kind: kind, key: key, value: value, outcome: outcome, invokeNanos: invoke, completeNanos: complete)
    }

    private func violation(_ operations: [ClientOperation]) throws -> Violation {
        let report = checker.check(History(operations))
        #expect(!report.isLinearizable)
        return try #require(report.violations.first, "expected a violation, got \(report)")
    }

    @Test func sequentialReadsAndWritesAreLinearizable() {
        let report = checker.check(History([
            op(1, .read, nil, .ok, 0, 5),
            op(1, .write, "1", .ok, 10, 20),
            op(2, .read, "1", .ok, 30, 40),
            op(2, .write, "2", .ok, 50, 60),
            op(1, .read, "2", .ok, 70, 80),
        ]))
        #expect(report.isLinearizable, "\(report)")
    }

    @Test func aStaleReadAfterACompletedWriteIsCaught() throws {
        let found = try violation([
            op(1, .write, "1", .ok, 0, 10),
            op(1, .write, "2", .ok, 20, 30),
            op(2, .read, "1", .ok, 40, 50),
        ])
        #expect(found.key == "x")
        #expect(found.unexplained.kind == .read && found.unexplained.value == "1")
        #expect(found.isMinimalWitness)
        #expect(found.reason.contains("stale"), "\(found)")
        #expect(found.operations.map(\.value) == ["1", "2", "1"])
    }

    @Test func aReadOfAValueNobodyWroteIsCaught() throws {
        let found = try violation([
            op(1, .write, "1", .ok, 0, 10),
            op(2, .read, "ghost", .ok, 5, 15),
        ])
        #expect(found.reason.contains("no operation ever wrote"), "\(found)")
        #expect(found.operations.count == 1)
    }

    /// The 503 case: a write answered "failed" must not be seen by anyone.
    @Test func aReadOfAFailedWriteIsCaught() throws {
        let found = try violation([
            op(1, .write, "1", .ok, 0, 10),
            op(1, .write, "2", .fail, 20, 30),
            op(2, .read, "2", .ok, 40, 50),
        ])
        #expect(found.reason.contains("FAILED"), "\(found)")
        #expect(found.operations.contains { $0.kind == .write && $0.outcome == .fail && $0.value == "2" })
        // Even a read concurrent with the failed write may not see it.
        let concurrent = try violation([
            op(1, .write, "2", .fail, 0, 30),
            op(2, .read, "2", .ok, 10, 20),
        ])
        #expect(concurrent.unexplained.value == "2")
    }

    @Test func concurrentOverlapsAreFine() {
        let report = checker.check(History([
            op(1, .write, "1", .ok, 0, 100),
            op(2, .write, "2", .ok, 50, 150),
            op(3, .read, nil, .ok, 10, 20),  // before either write took effect
            op(3, .read, "1", .ok, 60, 70),
            op(4, .read, "2", .ok, 80, 90),
            op(3, .read, "2", .ok, 95, 99),
            op(4, .read, "2", .ok, 160, 170),
        ]))
        #expect(report.isLinearizable, "\(report)")
        // Operations that touch at one instant count as concurrent.
        let touching = checker.check(History([
            op(1, .write, "1", .ok, 0, 10),
            op(2, .read, nil, .ok, 10, 20),
        ]))
        #expect(touching.isLinearizable, "\(touching)")
    }

    @Test func aNewThenOldReadInversionIsCaught() throws {
        let found = try violation([
            op(1, .write, "1", .ok, 0, 100),
            op(2, .read, "1", .ok, 10, 20),
            op(3, .read, nil, .ok, 30, 40),
        ])
        #expect(found.isMinimalWitness, "\(found)")
        #expect(found.reason.contains("earlier read"), "\(found)")
    }

    @Test func indeterminateWritesMayTakeEffectLateOrNever() {
        // Takes effect after the client gave up, and after another write.
        let late = checker.check(History([
            op(1, .write, "1", .ok, 0, 10),
            op(1, .write, "2", .info, 20, nil),
            op(2, .read, "1", .ok, 30, 40),
            op(3, .write, "3", .ok, 45, 50),
            op(2, .read, "2", .ok, 60, 70),
            op(2, .read, "2", .ok, 80, 90),
        ]))
        #expect(late.isLinearizable, "\(late)")
        // Never takes effect.
        let never = checker.check(History([
            op(1, .write, "1", .ok, 0, 10),
            op(1, .write, "2", .info, 20, nil),
            op(2, .read, "1", .ok, 30, 40),
            op(2, .read, "1", .ok, 1_000, 1_010),
        ]))
        #expect(never.isLinearizable, "\(never)")
        // A value written again by an indeterminate write may reappear.
        let again = checker.check(History([
            op(1, .write, "a", .ok, 0, 10),
            op(1, .write, "b", .ok, 20, 30),
            op(2, .write, "a", .info, 40, nil),
            op(3, .read, "a", .ok, 50, 60),
        ]))
        #expect(again.isLinearizable, "\(again)")
    }

    @Test func indeterminateWritesStillObeyRealTime() throws {
        // Seen before it was invoked.
        let future = try violation([
            op(2, .read, "2", .ok, 0, 10),
            op(1, .write, "2", .info, 20, nil),
        ])
        #expect(future.reason.contains("began only after"), "\(future)")
        // Once seen, it cannot be un-seen.
        let unseen = try violation([
            op(1, .write, "1", .ok, 0, 10),
            op(1, .write, "2", .info, 20, nil),
            op(2, .read, "2", .ok, 30, 40),
            op(2, .read, "1", .ok, 50, 60),
        ])
        #expect(unseen.unexplained.value == "1", "\(unseen)")
    }

    @Test func failedAndIndeterminateReadsAreDropped() {
        let report = checker.check(History([
            op(1, .write, "1", .ok, 0, 10),
            op(2, .read, "garbage", .fail, 20, 30),
            op(2, .read, "more garbage", .info, 40, nil),
            op(2, .read, "1", .ok, 50, 60),
        ]))
        #expect(report.isLinearizable, "\(report)")
        #expect(report.checkedOperations["x"] == 2)
    }

    @Test func keysAreCheckedSeparately() throws {
        let report = checker.check(History([
            op(1, .write, "1", .ok, 0, 10, key: "a"),
            op(2, .read, nil, .ok, 20, 30, key: "b"),
            op(2, .read, "1", .ok, 40, 50, key: "a"),
            op(1, .write, "2", .ok, 60, 70, key: "b"),
            op(2, .read, nil, .ok, 80, 90, key: "b"),  // stale on b only
        ]))
        #expect(report.verdicts["a"] == .linearizable)
        let found = try #require(report.violations.first)
        #expect(found.key == "b" && report.violations.count == 1, "\(report)")
    }

    @Test func aSearchThatHitsItsBoundIsUnknownNotAPass() {
        var operations: [ClientOperation] = []
        for n in 0..<40 { operations.append(op(n, .write, "\(n)", .ok, UInt64(n), 1_000)) }
        operations.append(op(99, .read, "0", .ok, 2_000, 2_010))
        let bounded = LinearizabilityChecker(maxSteps: 100)
        let report = bounded.check(History(operations))
        #expect(!report.isLinearizable)
        guard case .unknown(let reason) = report.verdicts["x"] else {
            Issue.record("expected unknown, got \(report)")
            return
        }
        #expect(reason.contains("without deciding"))
    }
}
