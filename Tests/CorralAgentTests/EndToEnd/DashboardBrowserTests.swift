import CorralScheduler
import CorralTestSupport
import Foundation
import Testing

/// The web dashboard in a real browser: headless Chromium loads it from a real 3-master
/// quorum with a real agent and a running task, and the DOM it built is checked.
@Suite(.serialized, .offCooperativePool) struct DashboardBrowserTests {
    @Test func theDashboardShowsTheClusterInChromiumAndTheNewLeaderAfterAFailOver() async throws {
        try await offCooperativePool {
            let cluster = try MasterQuorum(masters: 3)
            defer { cluster.stopAll() }
            guard let browser = HeadlessChromium(scratch: cluster.root) else {
                Issue.record("chromium is not installed; `make deps` (or `apt-get install chromium`) installs it")
                return
            }
            try await cluster.startAll()
            let leader = try await cluster.leader()
            try cluster.startAgent("a")
            let masters = (1...3).map { cluster.address(UInt64($0)).description }.joined(separator: ",")
            let detached = try ChildProcess.run(
                cluster.binary,
                ["run", "--timeout", "60", "--masters", masters, "-d", "--name", "talker", "--", "echo hello from talker; exec sleep 300"],
                scratch: cluster.root)
            #expect(detached.status == 0, "\(detached.summary)\n\(cluster.logs())")
            let follower = (1...3).map(UInt64.init).first { $0 != leader } ?? 1

            // Loaded from a follower: what needs the leader goes through it.
            var dom = ""
            try? await cluster.waitUntil("the dashboard showing the leader, the agent and the running task", seconds: 60) {
                dom = try browser.dumpDOM("http://\(cluster.address(follower))/#task=talker")
                return dom.contains(#"data-leader-id="\#(leader)""#) && dom.contains(#"data-hostname="agent-a""#)
                    && dom.contains(#"data-task-id="talker" data-state="TASK_RUNNING""#) && dom.contains("hello from talker")
            }
            #expect(dom.contains(#"data-leader-id="\#(leader)""#), "the leader banner: \(Self.excerpt(dom, "id=\"leader\""))")
            #expect(Self.count(#"data-role="leader""#, in: dom) == 1 && Self.count(#"data-role="follower""#, in: dom) == 2, "\(Self.excerpt(dom, "id=\"quorum\""))")
            #expect(dom.contains(#"data-hostname="agent-a""#), "an agent row: \(Self.excerpt(dom, "id=\"agents\""))")
            #expect(dom.contains(#"data-task-id="talker" data-state="TASK_RUNNING""#), "a running task: \(Self.excerpt(dom, "id=\"tasks\""))")
            #expect(dom.contains("hello from talker"), "the task's stdout in its sandbox: \(Self.excerpt(dom, "id=\"sandbox-section\""))")

            try await Self.checkReadOnlyAPI(cluster.address(follower))

            // A page left open on the leader: when the leader dies, the page turns to another
            // master on its own and shows the next leader.
            let page = try ChromiumSession(browser, url: "http://\(cluster.address(leader))/", arguments: ["--window-size=1400,900", "--hide-scrollbars"])
            defer { page.close() }
            let shownLeader = "document.getElementById('leader').dataset.leaderId"
            try await cluster.waitUntil("the open page showing leader \(leader)", seconds: 30) {
                try page.evaluate(shownLeader) as? String == "\(leader)"
            }
            // Some work for the plots and the event list, then a picture of it.
            let burst = try ChildProcess.run(
                cluster.binary, ["run", "--timeout", "60", "--masters", masters, "--count", "3", "--name", "burst", "--", "sleep 1"], scratch: cluster.root)
            #expect(burst.status == 0, "\(burst.summary)")
            try await cluster.waitUntil("the burst's tasks in the open page's events", seconds: 30) {
                (try page.evaluate("document.getElementById('events').textContent") as? String ?? "").contains("burst-2 TASK_FINISHED")
            }
            try Self.saveScreenshot(page, scratch: cluster.root)
            cluster.kill(leader)
            let next = try await cluster.leader()
            try? await cluster.waitUntil("the open page following the fail-over", seconds: 30) {
                try page.evaluate(shownLeader) as? String == "\(next)"
            }
            #expect(try page.evaluate(shownLeader) as? String == "\(next)", "the page open on the killed leader shows the new one")
            let via = try page.evaluate("Corral.base") as? String ?? ""
            #expect(via.hasPrefix("http://127.0.0.1:") && via != "http://\(cluster.address(leader))", "the page talks to a live master: \(via)")
            let events = try page.evaluate("document.getElementById('events').textContent") as? String ?? ""
            #expect(events.contains("leader: master \(next)") && events.contains("leader: master \(leader)"), "\(events)")

            // A page loaded afresh from a master that still runs shows the next leader too.
            let survivor = (1...3).map(UInt64.init).first { $0 != leader && $0 != next } ?? next
            try? await cluster.waitUntil("the dashboard showing the new leader and the old one down", seconds: 60) {
                dom = try browser.dumpDOM("http://\(cluster.address(survivor))/")
                return dom.contains(#"data-leader-id="\#(next)""#) && dom.contains(#"data-master-id="\#(leader)" data-role="down""#)
                    && dom.contains(#"data-task-id="talker" data-state="TASK_RUNNING""#)
            }
            #expect(dom.contains(#"data-leader-id="\#(next)""#), "the new leader \(next): \(Self.excerpt(dom, "id=\"leader\""))")
            #expect(dom.contains(#"data-master-id="\#(leader)" data-role="down""#), "the killed master \(leader) down: \(Self.excerpt(dom, "id=\"quorum\""))")
            #expect(dom.contains(#"data-task-id="talker" data-state="TASK_RUNNING""#), "the task still running: \(Self.excerpt(dom, "id=\"tasks\""))")
        }
    }

    /// A screenshot of the dashboard: to `$CORRAL_DASHBOARD_SCREENSHOT` when set (how
    /// docs/dashboard.png is made), else into the scratch directory; either way a PNG.
    /// For the README's picture the page first gathers 15 s of samples for its plots.
    static func saveScreenshot(_ page: ChromiumSession, scratch: String) throws {
        let wanted = ProcessInfo.processInfo.environment["CORRAL_DASHBOARD_SCREENSHOT"]
        if wanted != nil {
            for _ in 0..<60 where (try page.evaluate("Corral.samples.length") as? Int ?? 0) < 15 { Thread.sleep(forTimeInterval: 0.5) }
        }
        let path = wanted ?? "\(scratch)/dashboard.png"
        try page.screenshot(to: path)
        let header = FileManager.default.contents(atPath: path)?.prefix(8) ?? Data()
        #expect(header == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "chromium's screenshot is not a PNG")
    }

    /// The dashboard's API reads and never writes, and any origin may read it (the page
    /// turns to another master when its own dies).
    static func checkReadOnlyAPI(_ master: MasterAddress) async throws {
        let client = HTTPStreamClient(connectTimeout: .seconds(2), readTimeout: .seconds(5))
        let quorum = try await client.execute(HTTPStreamRequest(path: "/ui/api/quorum"), host: master.host, port: master.port)
        #expect(quorum.status.code == 200 && quorum.headers.first(name: "Access-Control-Allow-Origin") == "*", "\(quorum.bodyText)")
        let write = try await client.execute(HTTPStreamRequest(path: "/ui/api/call/TEARDOWN"), host: master.host, port: master.port)
        #expect(write.status.code == 400 && write.bodyText.contains("GET_"), "\(write.status) \(write.bodyText)")
        let missing = try await client.execute(HTTPStreamRequest(path: "/ui/api/files/browse?path=/x"), host: master.host, port: master.port)
        #expect(missing.status.code == 400 && missing.bodyText.contains("agent_id"), "\(missing.status) \(missing.bodyText)")
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    /// Up to 1,500 characters of `dom` from `marker` on (or its start), for a failure message.
    static func excerpt(_ dom: String, _ marker: String) -> String {
        guard let range = dom.range(of: marker) else { return "(no \(marker) in the DOM) " + String(dom.prefix(1500)) }
        return String(dom[range.lowerBound...].prefix(1500))
    }
}
