import CorralContainer
import Foundation
import Testing

@Suite("Limits and supervision")
struct LimitTests {
    @Test func aMemoryHogIsOOMKilledAndReportedSo() throws {
        let sandbox = try TestSandbox("oom")
        defer { sandbox.expectNothingLeft() }
        let spec = try sandbox.spec(["sh", "-c", "a=0123456789abcdef; while true; do a=\"$a$a\"; done"]) {
            $0.memoryLimitBytes = 32 << 20
        }
        let exit = try Container(spec: spec, paths: sandbox.paths).run()
        #expect(exit.oomKilled)
        #expect(exit.exitCode == 137)
        #expect(exit.stats.oomKillCount > 0)
    }

    @Test func aForkBombStopsAtThePidsLimit() throws {
        let sandbox = try TestSandbox("pids")
        defer { sandbox.expectNothingLeft() }
        let spec = try sandbox.spec(["sh", "-c", "while true; do sleep 1000 & done"]) { $0.pidsLimit = 16 }
        let exit = try Container(spec: spec, paths: sandbox.paths).run()
        #expect(exit.exitCode != 0)
        #expect(exit.stats.pidsLimitHits > 0)
        #expect(sandbox.stderr().contains("fork"))
    }

    @Test func stopKillsATaskThatIgnoresSIGTERM() throws {
        let sandbox = try TestSandbox("stop")
        defer { sandbox.expectNothingLeft() }
        let fifo = sandbox.root + "/ready"
        #expect(mkfifo(fifo, 0o600) == 0)
        let script = "trap '' TERM; echo ready > \(fifo); exec sleep 1000"
        let container = Container(
            spec: LaunchSpec(id: sandbox.id, arguments: ["/bin/sh", "-c", script]),
            paths: sandbox.paths
        )
        _ = try container.start()
        #expect(try TestSandbox.readFIFO(fifo) == "ready\n")
        let clock = ContinuousClock()
        let started = clock.now
        try container.stop(grace: .milliseconds(300))
        #expect(clock.now - started >= .milliseconds(300))
        let exit = try container.wait()
        #expect(exit.status == .signaled(SIGKILL))
        #expect(!exit.oomKilled)
    }

    @Test func orphanedChildrenOfTheTaskAreReaped() throws {
        let sandbox = try TestSandbox("reap")
        defer { sandbox.expectNothingLeft() }
        // Orphans re-parent to our init; the shell waits (bounded) until none is a zombie.
        let script = """
            for i in 1 2 3 4 5 6 7 8; do (sleep 0 &); done
            n=0
            while [ "$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ') Z ')" != 0 ]; do
              n=$((n+1)); [ $n -gt 2000 ] && exit 9
            done
            echo reaped
            """
        let exit = try Container(spec: try sandbox.spec(["sh", "-c", script]), paths: sandbox.paths).run()
        #expect(exit.status == .exited(0))
        #expect(sandbox.stdout() == "reaped\n")
    }

    @Test func logsAreCappedAndRotated() throws {
        let sandbox = try TestSandbox("log")
        defer { sandbox.expectNothingLeft() }
        let script =
            "i=0; while [ $i -lt 100 ]; do echo 0123456789012345678901234567890123456789; i=$((i+1)); done"
        let container = Container(
            spec: try sandbox.spec(["sh", "-c", script]),
            paths: sandbox.paths,
            logOptions: LogOptions(maxBytes: 1000)
        )
        #expect(try container.run().status == .exited(0))
        let current =
            try FileManager.default.attributesOfItem(atPath: sandbox.paths.stdout)[.size] as? Int ?? -1
        let rotated =
            try FileManager.default.attributesOfItem(atPath: sandbox.paths.stdout + ".1")[.size] as? Int ?? -1
        #expect(current > 0 && current <= 1000)
        #expect(rotated > 0 && rotated <= 1000)
    }
}
