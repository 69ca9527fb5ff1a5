import CorralMaster
import Foundation
import Testing
import CorralTestSupport

extension RealMasters {
    /// `GET /metrics` and `GET /metrics/snapshot` on real master processes, the text read by
    /// the real Prometheus parser (Python's `prometheus_client`).
    @Suite(.serialized) struct MasterMetricsTests {
        private func scrape(_ quorum: QuorumHarness, _ id: UInt64) throws -> PrometheusScrape {
            let reply = try OperatorClient.request(quorum.endpoint(id), "GET", "/metrics", contentType: nil)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            return try PrometheusScrape.parse(reply.text)
        }

        private func snapshot(_ quorum: QuorumHarness, _ id: UInt64) throws -> [String: Double] {
            let reply = try OperatorClient.request(quorum.endpoint(id), "GET", "/metrics/snapshot", contentType: nil)
            #expect(reply.status == 200, "\(reply.text)")
            return reply.json.compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }

        @Test func raftFiguresParseAndFollowTheStatusAndACommit() throws {
            let (quorum, leader) = try QuorumHarness.servingOperatorAPI(masters: 3)
            defer { quorum.stopAll() }
            let follower = try #require([UInt64(1), 2, 3].first { $0 != leader })

            let before = try scrape(quorum, leader)
            let status = try quorum.status(leader)
            #expect(before.families["corral_raft_role"] == "gauge")
            #expect(before.value("corral_raft_role", ["role": "leader"]) == 1)
            #expect(before.value("corral_raft_role", ["role": "follower"]) == 0)
            #expect(before.value("corral_raft_term") == Double(status.raft.term))
            #expect(before.families["corral_raft_proposal_commit_duration_seconds"] == "histogram")
            #expect(before.families["corral_raft_fsync_duration_seconds"] == "histogram")
            #expect(before.value("corral_raft_follower_lag_entries", ["follower": "\(follower)"]) != nil)
            #expect(before.value("corral_master_elected") == 1)
            #expect((before.value("process_open_fds") ?? 0) > 0)

            try quorum.put("metrics-test", "v", via: leader)
            let after = try scrape(quorum, leader)
            let commitBefore = try #require(before.value("corral_raft_commit_index"))
            #expect((after.value("corral_raft_commit_index") ?? 0) > commitBefore)
            #expect((after.value("corral_raft_proposals_total") ?? 0) > (before.value("corral_raft_proposals_total") ?? 0))
            #expect((after.value("corral_raft_proposal_commit_duration_seconds_count") ?? 0) >= 1)
            #expect((after.value("corral_raft_fsync_duration_seconds_count") ?? 0) >= 1)
            // The first scrape was counted once answered.
            #expect(after.value("corral_http_requests_total", ["endpoint": "/metrics", "code": "200"]) == 1)
            #expect(after.value("corral_http_requests_total", ["endpoint": "/v1/kv/{key}", "code": "204"]) == 1)

            let followerScrape = try scrape(quorum, follower)
            #expect(followerScrape.value("corral_raft_role", ["role": "follower"]) == 1)
            #expect(followerScrape.value("corral_master_elected") == 0)
            #expect(followerScrape.value("corral_raft_term") == Double(status.raft.term))
        }

        @Test func snapshotHasMesosKeysAndGetMetricsGivesTheSameFigures() throws {
            let (quorum, leader) = try QuorumHarness.servingOperatorAPI(masters: 3)
            defer { quorum.stopAll() }
            let follower = try #require([UInt64(1), 2, 3].first { $0 != leader })
            let keys = try snapshot(quorum, leader)
            for key in [
                "master/elected", "master/uptime_secs", "master/tasks_staging", "master/tasks_starting", "master/tasks_running",
                "master/tasks_finished", "master/tasks_failed", "master/tasks_killed", "master/tasks_lost",
                "master/slaves_active", "master/slaves_connected", "master/slaves_disconnected", "master/slaves_inactive",
                "master/frameworks_active", "master/frameworks_connected", "master/frameworks_inactive",
                "master/cpus_total", "master/cpus_used", "master/cpus_percent", "master/mem_total", "master/mem_used",
                "master/mem_percent", "master/disk_total", "master/disk_used", "master/disk_percent", "master/outstanding_offers",
                "raft/term", "raft/commit_index", "raft/applied_index",
            ] {
                #expect(keys[key] != nil, "\(key) missing from /metrics/snapshot")
            }
            #expect(keys["master/elected"] == 1)
            #expect(keys["master/tasks_running"] == 0)
            #expect(keys["master/slaves_active"] == 0)
            #expect(keys["raft/term"] == Double(try quorum.status(leader).raft.term))
            #expect((keys["master/uptime_secs"] ?? 0) > 0)

            let metrics = try OperatorClient.call(quorum.endpoint(leader), ["type": "GET_METRICS", "get_metrics": [:]])
            let listed = ((metrics.json["get_metrics"] as? [String: Any])?["metrics"] as? [[String: Any]]) ?? []
            let names = Set(listed.compactMap { $0["name"] as? String })
            #expect(names == Set(keys.keys))

            let followerKeys = try snapshot(quorum, follower)
            #expect(followerKeys["master/elected"] == 0)
            #expect(followerKeys["master/outstanding_offers"] == nil)
            #expect(followerKeys["raft/term"] == keys["raft/term"])
        }
    }
}
