import CorralChaos
import CorralTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A short real run with the disk and link faults: the leader's data disk fills (it must stop
/// accepting writes with the disk's error, and lose nothing acknowledged), then every peer link
/// drops, doubles and delays Raft frames; the run passes, and no mount or master is left.
@Suite(.serialized, .offCooperativePool) struct ChaosFaultRunTests {
    static let scenario = Scenario(
        name: "test-disk-and-links", masters: 3, network: .auto, durationSeconds: 12, workload: .init(clients: 4),
        faults: [
            .init(kind: .diskFull, target: .leader, start: .init(1.5, 2), healAfter: .init(2, 2.5)),
            .init(kind: .lossy, target: .all, start: .init(1, 1.5), healAfter: .init(2, 2.5), links: "delay=5ms,jitter=30ms,loss=0.2,duplicate=0.2"),
        ])

    @Test(.enabled(if: geteuid() == 0, "the data disks are tmpfs mounts, which need root"))
    func aDiskFullAndLossyLinksRunPassesAndLeavesNothing() throws {
        let scratch = try ScratchDirectory(prefix: "corral-chaos")
        defer { scratch.remove() }
        let (summary, report) = try ChaosRunTests.run(Self.scenario, seed: 11, in: scratch)
        #expect(summary.passed, "\(summary.violations)")
        #expect(summary.faults.count == 2)
        #expect(summary.faults.first?.contains("stopped accepting writes") == true, "\(summary.faults)")
        #expect(summary.notes.contains { $0.contains("stopped accepting writes") && $0.contains("bytes free") }, "\(summary.notes)")
        let links = summary.faults.last ?? ""
        #expect(links.contains("dropped") && !links.contains(" 0 dropped") && !links.contains(" 0 duplicated"), "\(links)")
        let mounts = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
        let ownPath = report.replacingOccurrences(of: "//", with: "/")
        #expect(!mounts.split(separator: "\n").contains { $0.hasPrefix(DataDisks.source) && $0.contains(ownPath) }, "a data disk is still mounted")
        for id in 1...3 {
            #expect(FileManager.default.fileExists(atPath: "\(report)/data/master-\(id)/raft"), "master \(id)'s data was not kept")
        }
        #expect(ProcessTable.pids(withArgumentContaining: report).isEmpty, "masters left running after the run")
    }
}
