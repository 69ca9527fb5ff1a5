import CorralMaster
import CorralModel
import CorralTestSupport
import Foundation
import Testing

extension RealMasters {
    /// The v0 endpoints Mesos clients call beside `/master/state`, their JSON shapes, the
    /// operator API's other paths, and the logging level, against real master processes.
    @Suite(.serialized) struct MasterEndpointsV0Tests {
        private func start(_ masters: Int) throws -> (QuorumHarness, leader: UInt64) {
            try QuorumHarness.servingOperatorAPI(masters: masters)
        }

        private func get(_ endpoint: String, _ path: String) throws -> Any {
            let reply = try OperatorClient.request(endpoint, "GET", path, contentType: nil)
            #expect(reply.status == 200, "GET \(path): \(reply.status) \(reply.text)")
            return try JSONSerialization.jsonObject(with: Data(reply.body), options: [.fragmentsAllowed])
        }

        @Test func rolesWeightsQuotaMaintenanceFlagsAndSummaryHaveMesosShapes() throws {
            let (quorum, leader) = try start(3)
            defer { quorum.stopAll() }
            let endpoint = quorum.endpoint(leader)
            let weights = try OperatorClient.call(endpoint, ["type": "UPDATE_WEIGHTS", "update_weights": ["weight_infos": [["role": "dev", "weight": 2.5]]]])
            #expect(weights.status == 202, "\(weights.text)")
            let quota = try OperatorClient.call(endpoint, [
                "type": "UPDATE_QUOTA",
                "update_quota": ["quota_configs": [["role": "dev", "guarantees": ["cpus": ["value": 1]], "limits": ["cpus": ["value": 4]]]]],
            ])
            #expect(quota.status == 202, "\(quota.text)")
            let schedule: [String: Any] = [
                "windows": [["machine_ids": [["hostname": "node-7", "ip": "10.0.0.7"]], "unavailability": ["start": ["nanoseconds": 1_000_000_000]]]],
            ]
            let posted = try OperatorClient.request(endpoint, "POST", "/master/maintenance/schedule", body: Array(try JSONSerialization.data(withJSONObject: schedule)))
            #expect(posted.status == 200, "\(posted.text)")

            let roles = try #require((try get(endpoint, "/master/roles") as? [String: Any])?["roles"] as? [[String: Any]])
            let dev = try #require(roles.first { $0["name"] as? String == "dev" })
            #expect(dev["weight"] as? Double == 2.5)
            #expect((dev["quota"] as? [String: Any])?["guarantee"] as? [String: Double] == ["cpus": 1])
            #expect((dev["quota"] as? [String: Any])?["limit"] as? [String: Double] == ["cpus": 4])
            for key in ["resources", "allocated", "offered", "reserved", "frameworks"] { #expect(dev[key] != nil, "roles lack \(key)") }

            let weightList = try #require(try get(endpoint, "/master/weights") as? [[String: Any]])
            #expect(weightList.count == 1 && weightList.first?["role"] as? String == "dev" && weightList.first?["weight"] as? Double == 2.5, "\(weightList)")
            let status = try #require(try get(endpoint, "/master/quota") as? [String: Any])
            let infos = try #require(status["infos"] as? [[String: Any]])
            #expect(infos.first?["role"] as? String == "dev")
            #expect((status["configs"] as? [[String: Any]])?.first?["role"] as? String == "dev")

            let windows = (try get(endpoint, "/master/maintenance/schedule") as? [String: Any])?["windows"] as? [[String: Any]]
            #expect(((windows?.first?["machine_ids"] as? [[String: String]])?.first)?["hostname"] == "node-7")
            let cluster = try #require(try get(endpoint, "/master/maintenance/status") as? [String: Any])
            let draining = try #require(cluster["draining_machines"] as? [[String: Any]])
            #expect((draining.first?["id"] as? [String: String]) == ["hostname": "node-7", "ip": "10.0.0.7"])
            #expect(cluster["down_machines"] as? [Any] != nil)
            let viaOperator = try OperatorClient.call(endpoint, ["type": "GET_MAINTENANCE_STATUS"])
            let operatorStatus = (viaOperator.json["get_maintenance_status"] as? [String: Any])?["status"] as? [String: Any]
            #expect((operatorStatus?["draining_machines"] as? [[String: Any]])?.count == 1, "\(viaOperator.text)")
            let operations = try OperatorClient.call(endpoint, ["type": "GET_OPERATIONS"])
            #expect(operations.status == 200 && operations.json["get_operations"] != nil, "\(operations.text)")

            let flags = try #require((try get(endpoint, "/master/flags") as? [String: Any])?["flags"] as? [String: String])
            #expect(flags["cluster_id"] != nil)

            let summary = try #require(try get(endpoint, "/master/state-summary") as? [String: Any])
            #expect(summary["hostname"] as? String == "127.0.0.1")
            #expect(summary["slaves"] as? [Any] != nil && summary["frameworks"] as? [Any] != nil && summary["cluster"] != nil)

            // A follower sends each to the leader, query string included.
            let follower = try #require(quorum.initial.first { $0 != leader })
            let redirected = try OperatorClient.request(quorum.endpoint(follower), "GET", "/master/tasks?limit=5&order=asc", contentType: nil)
            #expect(redirected.status == 307)
            #expect(redirected.headers["location"] == "//\(endpoint)/master/tasks?limit=5&order=asc")
            // The short forms answer too.
            for path in ["/state-summary", "/roles", "/weights", "/quota", "/flags", "/maintenance/status"] { _ = try get(endpoint, path) }
        }

        @Test func operatorAPIAnswersOnEveryPathAndTeardownTakesAForm() async throws {
            let (quorum, leader) = try start(1)
            defer { quorum.stopAll() }
            let endpoint = quorum.endpoint(leader)
            for path in ["/api/v1", "/api/v1/operator", "/master/api/v1"] {
                let reply = try OperatorClient.request(endpoint, "POST", path, body: Array(#"{"type":"GET_HEALTH"}"#.utf8))
                #expect(reply.status == 200 && reply.json["type"] as? String == "GET_HEALTH", "\(path): \(reply.text)")
            }
            let missing = try OperatorClient.request(endpoint, "POST", "/master/teardown", body: [], contentType: "application/x-www-form-urlencoded")
            #expect(missing.status == 400 && missing.text.contains("frameworkId"), "\(missing.text)")

            let framework = try LaunchingScheduler(masters: [endpoint], taskCount: 0)
            let running = Task(executorPreference: TestExecutor.shared) { await framework.run() }
            defer { running.cancel() }
            try await eventually("the framework subscribed", seconds: 20) { await !framework.frameworkIDs.isEmpty }
            let id = try #require(await framework.frameworkIDs.first)
            let summary = try #require(try get(endpoint, "/master/state-summary") as? [String: Any])
            let listed = try #require((summary["frameworks"] as? [[String: Any]])?.first)
            #expect(listed["id"] as? String == id.value && listed["TASK_RUNNING"] as? Int == 0 && listed["slave_ids"] as? [String] == [])

            let torn = try OperatorClient.request(
                endpoint, "POST", "/master/teardown", body: Array("frameworkId=\(id.value)".utf8), contentType: "application/x-www-form-urlencoded")
            #expect(torn.status == 200, "\(torn.text)")
            let frameworks = try #require(try get(endpoint, "/master/frameworks") as? [String: Any])
            #expect((frameworks["frameworks"] as? [[String: Any]])?.isEmpty == true)
            #expect((frameworks["completed_frameworks"] as? [[String: Any]])?.first?["id"] as? String == id.value)
            let again = try OperatorClient.request(
                endpoint, "POST", "/master/teardown", body: Array("frameworkId=\(id.value)".utf8), contentType: "application/x-www-form-urlencoded")
            #expect(again.status == 400, "tearing down a removed framework: \(again.status) \(again.text)")
        }

        /// Needs the masters at the default `notice` (a CORRAL_TEST_LOG_LEVEL override changes what is logged).
        @Test(.enabled(if: ProcessInfo.processInfo.environment["CORRAL_TEST_LOG_LEVEL"] == nil))
        func setLoggingLevelChangesTheMastersLoggerForItsDuration() async throws {
            let (quorum, leader) = try start(1)
            defer { quorum.stopAll() }
            let endpoint = quorum.endpoint(leader)
            func level() throws -> Int? {
                let reply = try OperatorClient.call(endpoint, ["type": "GET_LOGGING_LEVEL"])
                return (reply.json["get_logging_level"] as? [String: Any])?["level"] as? Int
            }
            #expect(try level() == 0)
            // At the configured level (notice) a subscription is not logged; one step more verbose (info) it is.
            let quiet = try LaunchingScheduler(masters: [endpoint], taskCount: 0)
            let first = Task(executorPreference: TestExecutor.shared) { await quiet.run() }
            defer { first.cancel() }
            try await eventually("the first framework subscribed", seconds: 20) { await !quiet.frameworkIDs.isEmpty }
            #expect(!quorum.log(leader).contains("framework subscribed"), "logged at notice: \(quorum.log(leader))")

            let set = try OperatorClient.call(endpoint, ["type": "SET_LOGGING_LEVEL", "set_logging_level": ["level": 1, "duration": ["nanoseconds": 60_000_000_000]]])
            #expect(set.status == 202, "\(set.text)")
            #expect(try level() == 1)
            let loud = try LaunchingScheduler(masters: [endpoint], taskCount: 0)
            let second = Task(executorPreference: TestExecutor.shared) { await loud.run() }
            defer { second.cancel() }
            try await eventually("the second framework subscribed", seconds: 20) { await !loud.frameworkIDs.isEmpty }
            try await eventually("the subscription logged at info", seconds: 5) { quorum.log(leader).contains("framework subscribed") }

            let bad = try OperatorClient.call(endpoint, ["type": "SET_LOGGING_LEVEL", "set_logging_level": ["level": 1, "duration": ["nanoseconds": 0]]])
            #expect(bad.status == 400, "\(bad.text)")
            // A short duration ends on its own, back to the configured level.
            let short = try OperatorClient.call(endpoint, ["type": "SET_LOGGING_LEVEL", "set_logging_level": ["level": 2, "duration": ["nanoseconds": 300_000_000]]])
            #expect(short.status == 202)
            #expect(try level() == 2)
            try await eventually("the level back to 0", seconds: 5) { try level() == 0 }
            let toggled = try OperatorClient.request(endpoint, "GET", "/logging/toggle?level=1&duration=2secs", contentType: nil)
            #expect(toggled.status == 200, "\(toggled.text)")
            #expect(try level() == 1)
        }
    }
}
