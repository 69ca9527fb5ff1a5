import CorralMaster
import Foundation
import Testing

extension RealMasters {
    /// The operator API (`POST /api/v1`) and `GET /master/state` against real master processes.
    @Suite(.serialized) struct OperatorTests {
        private func start(_ masters: Int) throws -> (QuorumHarness, leader: UInt64) {
            try QuorumHarness.servingOperatorAPI(masters: masters)
        }

        @Test func theLeaderAnswersReadsAndFollowersRedirectToIt() throws {
            let (quorum, leader) = try start(3)
            defer { quorum.stopAll() }
            let endpoint = quorum.endpoint(leader)

            let health = try OperatorClient.call(endpoint, ["type": "GET_HEALTH"])
            #expect(health.status == 200)
            #expect(health.json["type"] as? String == "GET_HEALTH")
            #expect((health.json["get_health"] as? [String: Any])?["healthy"] as? Bool == true)

            let version = try OperatorClient.call(endpoint, ["type": "GET_VERSION"])
            let info = (version.json["get_version"] as? [String: Any])?["version_info"] as? [String: Any]
            #expect(info?["version"] as? String == CorralVersion.mesosCompatible)

            let master = try OperatorClient.call(endpoint, ["type": "GET_MASTER"])
            #expect(master.status == 200, "\(master.text)")
            let getMaster = try #require(master.json["get_master"] as? [String: Any])
            let masterInfo = try #require(getMaster["master_info"] as? [String: Any])
            #expect(masterInfo["port"] as? Int == quorum.ports[leader]?.http)
            let raft = try #require(getMaster["raft"] as? [String: Any])
            #expect(raft["role"] as? String == "leader")
            #expect(raft["leader"] as? Int == Int(leader))
            #expect((raft["term"] as? Int ?? 0) > 0)
            #expect((raft["commit_index"] as? Int ?? 0) > 0)
            #expect(raft["applied_index"] != nil)
            #expect(raft["voters"] as? [Int] == [1, 2, 3])
            #expect(raft["learners"] as? [Int] == [])
            #expect((raft["followers"] as? [[String: Any]])?.count == 2)

            let metrics = try OperatorClient.call(endpoint, ["type": "GET_METRICS", "get_metrics": [:]])
            let gauges = ((metrics.json["get_metrics"] as? [String: Any])?["metrics"] as? [[String: Any]]) ?? []
            let byName = Dictionary(gauges.compactMap { g in (g["name"] as? String).map { ($0, g["value"]) } }, uniquingKeysWith: { a, _ in a })
            #expect(byName["master/elected"] as? Int == 1)
            #expect(byName["master/tasks_running"] as? Int == 0)
            #expect(byName["raft/term"] as? Int == raft["term"] as? Int)

            let flags = try OperatorClient.call(endpoint, ["type": "GET_FLAGS"])
            let flagList = ((flags.json["get_flags"] as? [String: Any])?["flags"] as? [[String: String]]) ?? []
            #expect(flagList.contains { $0["name"] == "cluster_id" && $0["value"] == quorum.clusterID })

            let state = try OperatorClient.call(endpoint, ["type": "GET_STATE"])
            let getState = try #require(state.json["get_state"] as? [String: Any])
            #expect(Set(getState.keys) == ["get_tasks", "get_executors", "get_frameworks", "get_agents"])

            let v0 = try OperatorClient.request(endpoint, "GET", "/master/state", contentType: nil)
            #expect(v0.status == 200)
            #expect(v0.json["leader"] as? String == "master@\(endpoint)")
            #expect(v0.json["version"] as? String == CorralVersion.mesosCompatible)
            #expect(v0.json["cluster"] as? String == quorum.clusterID)
            #expect(v0.json["activated_slaves"] as? Int == 0)
            #expect(v0.json["frameworks"] as? [Any] != nil && v0.json["slaves"] as? [Any] != nil)
            #expect((v0.json["leader_info"] as? [String: Any])?["port"] as? Int == quorum.ports[leader]?.http)
            for path in ["/state", "/master/state.json", "/state.json"] {
                #expect(try OperatorClient.request(endpoint, "GET", path, contentType: nil).status == 200)
            }

            let follower = try #require(quorum.initial.first { $0 != leader })
            for type in ["GET_HEALTH", "GET_MASTER", "GET_STATE"] {
                let redirected = try OperatorClient.call(quorum.endpoint(follower), ["type": type])
                #expect(redirected.status == 307)
                #expect(redirected.headers["location"] == "//\(endpoint)/api/v1")
            }
            let redirectedState = try OperatorClient.request(quorum.endpoint(follower), "GET", "/master/state", contentType: nil)
            #expect(redirectedState.status == 307)
            #expect(redirectedState.headers["location"] == "//\(endpoint)/master/state")
        }

        @Test func weightsQuotaAndMaintenanceAreCommittedAndReadBack() throws {
            let (quorum, leader) = try start(1)
            defer { quorum.stopAll() }
            let endpoint = quorum.endpoint(leader)

            let weights = try OperatorClient.call(endpoint, [
                "type": "UPDATE_WEIGHTS",
                "update_weights": ["weight_infos": [["role": "analytics", "weight": 2.5], ["role": "web", "weight": 1]]],
            ])
            #expect(weights.status == 202, "\(weights.text)")
            #expect(weights.body.isEmpty)
            let roles = try OperatorClient.call(endpoint, ["type": "GET_ROLES"])
            let roleList = ((roles.json["get_roles"] as? [String: Any])?["roles"] as? [[String: Any]]) ?? []
            let analytics = try #require(roleList.first { $0["name"] as? String == "analytics" })
            #expect(analytics["weight"] as? Double == 2.5)
            #expect(roleList.contains { $0["name"] as? String == "web" })
            let zero = try OperatorClient.call(endpoint, [
                "type": "UPDATE_WEIGHTS", "update_weights": ["weight_infos": [["role": "web", "weight": 0]]],
            ])
            #expect(zero.status == 400)
            #expect(zero.text.contains("positive"))

            let quota = try OperatorClient.call(endpoint, [
                "type": "UPDATE_QUOTA",
                "update_quota": [
                    "quota_configs": [
                        ["role": "analytics", "guarantees": ["cpus": 1], "limits": ["cpus": ["value": 4], "mem": ["value": 2048]]]
                    ]
                ],
            ])
            #expect(quota.status == 202, "\(quota.text)")
            let readQuota = try OperatorClient.call(endpoint, ["type": "GET_QUOTA"])
            let status = (readQuota.json["get_quota"] as? [String: Any])?["status"] as? [String: Any]
            let config = try #require((status?["configs"] as? [[String: Any]])?.first)
            #expect(config["role"] as? String == "analytics")
            #expect(((config["guarantees"] as? [String: Any])?["cpus"] as? [String: Any])?["value"] as? Int == 1)
            #expect(((config["limits"] as? [String: Any])?["mem"] as? [String: Any])?["value"] as? Int == 2048)
            let tooSmall = try OperatorClient.call(endpoint, [
                "type": "UPDATE_QUOTA",
                "update_quota": ["quota_configs": [["role": "web", "guarantees": ["cpus": 3], "limits": ["cpus": 2]]]],
            ])
            #expect(tooSmall.status == 400)

            let window: [String: Any] = [
                "machine_ids": [["hostname": "node-1.example"], ["ip": "10.0.0.2"]],
                "unavailability": ["start": ["nanoseconds": 1_700_000_000_000_000_000], "duration": ["nanoseconds": 3_600_000_000_000]],
            ]
            let maintenance = try OperatorClient.call(endpoint, [
                "type": "UPDATE_MAINTENANCE_SCHEDULE", "update_maintenance_schedule": ["schedule": ["windows": [window]]],
            ])
            #expect(maintenance.status == 202, "\(maintenance.text)")
            let schedule = try OperatorClient.call(endpoint, ["type": "GET_MAINTENANCE_SCHEDULE"])
            let windows = ((schedule.json["get_maintenance_schedule"] as? [String: Any])?["schedule"] as? [String: Any])?["windows"]
            let readWindow = try #require((windows as? [[String: Any]])?.first)
            #expect((readWindow["machine_ids"] as? [[String: String]]) == [["hostname": "node-1.example"], ["ip": "10.0.0.2"]])
            let unavailability = readWindow["unavailability"] as? [String: Any]
            #expect((unavailability?["start"] as? [String: Any])?["nanoseconds"] as? Int == 1_700_000_000_000_000_000)
            #expect((unavailability?["duration"] as? [String: Any])?["nanoseconds"] as? Int == 3_600_000_000_000)

            let gone = try OperatorClient.call(endpoint, ["type": "MARK_AGENT_GONE", "mark_agent_gone": ["agent_id": ["value": "nope"]]])
            #expect(gone.status == 400)
            #expect(gone.text.contains("not registered"))
            let teardown = try OperatorClient.call(endpoint, ["type": "TEARDOWN", "teardown": ["framework_id": ["value": "nope"]]])
            #expect(teardown.status == 400)
        }

        @Test func badInputIsRefusedAndNothingReachesTheRegistry() throws {
            let (quorum, leader) = try start(1)
            defer { quorum.stopAll() }
            let endpoint = quorum.endpoint(leader)
            let update = Array(#"{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"x","weight":3}]}}"#.utf8)

            let unknown = try OperatorClient.call(endpoint, ["type": "MAKE_COFFEE"])
            #expect(unknown.status == 400)
            #expect(unknown.text.contains("MAKE_COFFEE"))
            // JSON sent as protobuf is not a master.Call.
            let protobuf = try OperatorClient.request(endpoint, "POST", "/api/v1", body: update, contentType: "application/x-protobuf")
            #expect(protobuf.status == 400 && protobuf.text.contains("malformed protobuf"), "\(protobuf.text)")
            let malformed = try OperatorClient.request(endpoint, "POST", "/api/v1", body: Array(#"{"type": "GET_HEALTH""#.utf8))
            #expect(malformed.status == 400)
            #expect(malformed.text.contains("malformed JSON"))
            let wrongShape = try OperatorClient.request(
                endpoint, "POST", "/api/v1", body: Array(#"{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":"x"}}"#.utf8))
            #expect(wrongShape.status == 400)
            #expect(wrongShape.text.contains("weight_infos"))
            let untyped = try OperatorClient.call(endpoint, ["get_health": [:]])
            #expect(untyped.status == 400)
            let missing = try OperatorClient.call(endpoint, ["type": "UPDATE_WEIGHTS"])
            #expect(missing.status == 400)
            let oversized = try OperatorClient.request(endpoint, "POST", "/api/v1", body: update + Array(repeating: 32, count: 1 << 20))
            #expect(oversized.status == 413)
            #expect(try OperatorClient.request(endpoint, "GET", "/api/v1", contentType: nil).status == 405)

            let weights = try OperatorClient.call(endpoint, ["type": "GET_WEIGHTS"])
            #expect(weights.status == 200)
            #expect((weights.json["get_weights"] as? [String: Any])?["weight_infos"] as? [Any] == nil
                || ((weights.json["get_weights"] as? [String: Any])?["weight_infos"] as? [Any])?.isEmpty == true)
            // The same call, well formed, goes through.
            #expect(try OperatorClient.request(endpoint, "POST", "/api/v1", body: update).status == 202)
        }

        @Test func subscribeStreamsSubscribedFirstThenChanges() throws {
            let (quorum, leader) = try start(1)
            defer { quorum.stopAll() }
            let endpoint = quorum.endpoint(leader)

            let operatorStream = try OperatorClient(endpoint)
            operatorStream.send("POST", "/api/v1", body: Array(#"{"type":"SUBSCRIBE"}"#.utf8),
                headers: ["Content-Type": "application/json", "Accept": "application/recordio"])
            let head = try operatorStream.readHead()
            #expect(head.status == 200)
            #expect(head.headers["content-type"] == "application/recordio")
            let subscribed = try operatorStream.nextEvent()
            #expect(subscribed["type"] as? String == "SUBSCRIBED")
            let payload = try #require(subscribed["subscribed"] as? [String: Any])
            #expect(payload["heartbeat_interval_seconds"] as? Int == 15)
            let initial = try #require(payload["get_state"] as? [String: Any])
            #expect(Set(initial.keys) == ["get_tasks", "get_executors", "get_frameworks", "get_agents"])

            // An agent subscribes: AGENT_ADDED, and the state endpoints list it.
            let agent = try OperatorClient(endpoint)
            let agentInfo = #"{"hostname":"fake-1","resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":4}},"#
                + #"{"name":"mem","type":"SCALAR","scalar":{"value":1024}},"#
                + #"{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]}}]}"#
            agent.send("POST", "/corral/v1/agent",
                body: Array(#"{"type":"SUBSCRIBE","subscribe":{"agent_info":\#(agentInfo),"tasks":[],"highest_term":0,"version":1}}"#.utf8),
                headers: ["Content-Type": "application/json"])
            #expect(try agent.readHead().status == 200)
            let agentID = try #require(((try agent.nextEvent()["subscribed"] as? [String: Any])?["agent_id"] as? [String: Any])?["value"] as? String)
            let agentAdded = try operatorStream.waitForEvent("AGENT_ADDED")
            #expect((((agentAdded["agent_added"] as? [String: Any])?["agent"] as? [String: Any])?["agent_info"] as? [String: Any])?["hostname"] as? String == "fake-1")
            let v0 = try OperatorClient.request(endpoint, "GET", "/master/state", contentType: nil)
            let slave = try #require((v0.json["slaves"] as? [[String: Any]])?.first)
            #expect(slave["id"] as? String == agentID)
            #expect(slave["hostname"] as? String == "fake-1")
            #expect(slave["active"] as? Bool == true)
            #expect((slave["resources"] as? [String: Any])?["cpus"] as? Int == 4)
            #expect((slave["resources"] as? [String: Any])?["ports"] as? String == "[31000-32000]")
            #expect(v0.json["activated_slaves"] as? Int == 1)
            let agents = try OperatorClient.call(endpoint, ["type": "GET_AGENTS"])
            #expect(((agents.json["get_agents"] as? [String: Any])?["agents"] as? [Any])?.count == 1)

            // A scheduler subscribes: FRAMEWORK_ADDED; an operator tears it down: FRAMEWORK_REMOVED.
            let scheduler = try OperatorClient(endpoint)
            scheduler.send("POST", "/api/v1/scheduler",
                body: Array(#"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"test","name":"operator-test"}}}"#.utf8),
                headers: ["Content-Type": "application/json"])
            #expect(try scheduler.readHead().status == 200)
            let schedulerSubscribed = try scheduler.nextEvent()
            let frameworkID = try #require(
                ((schedulerSubscribed["subscribed"] as? [String: Any])?["framework_id"] as? [String: Any])?["value"] as? String)
            _ = try operatorStream.waitForEvent("FRAMEWORK_ADDED")
            let frameworks = try OperatorClient.call(endpoint, ["type": "GET_FRAMEWORKS"])
            let listed = ((frameworks.json["get_frameworks"] as? [String: Any])?["frameworks"] as? [[String: Any]]) ?? []
            #expect(listed.count == 1)
            #expect(listed.first?["connected"] as? Bool == true)
            let roles = try OperatorClient.call(endpoint, ["type": "GET_ROLES"])
            let star = ((roles.json["get_roles"] as? [String: Any])?["roles"] as? [[String: Any]])?.first { $0["name"] as? String == "*" }
            #expect((star?["frameworks"] as? [[String: String]]) == [["value": frameworkID]])

            let teardown = try OperatorClient.call(endpoint, ["type": "TEARDOWN", "teardown": ["framework_id": ["value": frameworkID]]])
            #expect(teardown.status == 202, "\(teardown.text)")
            _ = try operatorStream.waitForEvent("FRAMEWORK_REMOVED")
            let state = try OperatorClient.request(endpoint, "GET", "/master/state", contentType: nil)
            #expect((state.json["completed_frameworks"] as? [[String: Any]])?.first?["id"] as? String == frameworkID)
            #expect((state.json["frameworks"] as? [Any])?.isEmpty == true)

            // An operator marks the agent gone: AGENT_REMOVED, and it is no longer listed.
            let gone = try OperatorClient.call(endpoint, ["type": "MARK_AGENT_GONE", "mark_agent_gone": ["agent_id": ["value": agentID]]])
            #expect(gone.status == 202, "\(gone.text)")
            let removed = try operatorStream.waitForEvent("AGENT_REMOVED")
            #expect(((removed["agent_removed"] as? [String: Any])?["agent_id"] as? [String: Any])?["value"] as? String == agentID)
            let after = try OperatorClient.call(endpoint, ["type": "GET_AGENTS"])
            #expect(((after.json["get_agents"] as? [String: Any])?["agents"] as? [Any])?.isEmpty == true)
        }
    }
}
