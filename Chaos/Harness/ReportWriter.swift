import CorralHistory
import Foundation

/// Writes a run's report directory: `history.jsonl`, `faults.jsonl`, `leaders.jsonl`,
/// `summary.json` and `report.html` (the masters' logs are already there, `master-N.log`). Every time is in
/// seconds since the workload started.
public struct ReportWriter: Sendable {
    public var directory: String

    public init(directory: String) { self.directory = directory }

    /// One history line: an invocation or a completion (`ok`, `fail`, `info`).
    struct HistoryLine: Codable {
        var type: String
        var id: Int
        var process: Int
        var f: String
        var key: String
        var value: String?
        /// Seconds on the run's clock; nil for an operation that never completed.
        var time: Double?
    }

    /// One fault line: the fault firing or its heal.
    struct FaultLine: Codable {
        var type: String
        var kind: String
        var target: String
        var masters: [UInt64]
        var time: Double
        var leaderBefore: UInt64
        var termBefore: UInt64
        var step: Int
        var repetition: Int
        /// Partitions: the links cut (`m1->m2 ...`) and the masters cut off from a majority.
        var cut: String?
        var stranded: [UInt64]?
        /// `clock-jump`: seconds the targets' wall clocks stepped.
        var jump: Double?
        /// `replace`: the step (start-spare, add-learner, promote, remove, stop), the member it
        /// changed, and what came of it.
        var action: String?
        var member: UInt64?
        var outcome: String?
    }

    /// One leader-view line: what one master said at one moment.
    struct LeaderLine: Codable {
        var time: Double
        var master: UInt64
        var role: String
        var term: UInt64
        var leader: UInt64
        var commitIndex: UInt64
        var appliedIndex: UInt64
    }

    public func write(history: History, records: [FaultRecord], views: [LeaderView], summary: ChaosSummary) throws(HarnessFailure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            var events: [HistoryLine] = []
            for operation in history.operations {
                let f = operation.kind.rawValue
                events.append(HistoryLine(
                    type: "invoke", id: operation.id, process: operation.process, f: f, key: operation.key,
                    value: operation.kind == .write ? operation.value : nil, time: Double(operation.invokeNanos) / 1e9))
                events.append(HistoryLine(
                    type: operation.outcome.rawValue, id: operation.id, process: operation.process, f: f, key: operation.key,
                    value: operation.value, time: operation.completeNanos.map { Double($0) / 1e9 }))
            }
            events.sort { ($0.time ?? .infinity, $0.type == "invoke" ? 1 : 0) < ($1.time ?? .infinity, $1.type == "invoke" ? 1 : 0) }
            try lines(events, to: "history.jsonl", encoder)
            let faults = records.flatMap { record in
                ["fault", "heal"].map { type in
                    FaultLine(
                        type: type, kind: record.planned.kind.rawValue, target: record.planned.target.rawValue, masters: record.targets,
                        time: Double(type == "fault" ? record.injectedNanos : record.healedNanos) / 1e9,
                        leaderBefore: record.leaderBefore, termBefore: record.termBefore, step: record.planned.step,
                        repetition: record.planned.repetition, cut: record.planned.kind.isPartition ? record.partition?.description : nil,
                        stranded: record.planned.kind.isPartition && record.partition != nil ? record.stranded : nil,
                        jump: record.planned.jumpSeconds, action: record.membership?.action,
                        member: record.membership?.member, outcome: record.membership?.outcome)
                }
            }
            try lines(faults, to: "faults.jsonl", encoder)
            try lines(views.map {
                LeaderLine(
                    time: Double($0.nanos) / 1e9, master: $0.master, role: $0.role, term: $0.term, leader: $0.leader,
                    commitIndex: $0.commitIndex, appliedIndex: $0.appliedIndex)
            }, to: "leaders.jsonl", encoder)
            // summary.json carries the verdict too, which the type computes from its violations.
            guard var object = try JSONSerialization.jsonObject(with: try encoder.encode(summary)) as? [String: Any] else {
                throw HarnessFailure("the summary did not encode as a JSON object")
            }
            object["passed"] = summary.passed
            try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]).write(to: url("summary.json"))
            let page = ReportPage(
                scenario: summary.scenario, seed: summary.seed, history: history, records: records, views: views, summary: summary)
            try Data(page.render().utf8).write(to: url("report.html"))
        } catch {
            throw HarnessFailure("cannot write the report in \(directory): \(error)")
        }
    }

    private func url(_ name: String) -> URL { URL(fileURLWithPath: "\(directory)/\(name)") }

    private func lines<T: Encodable>(_ items: [T], to name: String, _ encoder: JSONEncoder) throws {
        var data = Data()
        for item in items {
            data.append(try encoder.encode(item))
            data.append(0x0A)
        }
        try data.write(to: url(name))
    }
}
