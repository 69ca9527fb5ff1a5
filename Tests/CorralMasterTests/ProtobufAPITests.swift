import CorralModel
import CorralProtobuf
import CorralTestSupport
import Foundation
import SwiftProtobuf
import Testing

extension RealMasters {
    /// The v1 scheduler and operator APIs spoken in `application/x-protobuf`, as the JNI
    /// `V1Mesos` scheduler and the Go and Java libraries speak them: the calls are built from
    /// the generated messages (not from Corral's Codable types), against three real masters and
    /// an agent double.
    @Suite(.serialized)
    struct ProtobufAPITests {
        typealias Call = Mesos_V1_Scheduler_Call
        typealias Event = Mesos_V1_Scheduler_Event

        @Test func aProtobufSchedulerLaunchesAcknowledgesDeclinesAndKills() async throws {
            try await withCluster(scheduling: fastScheduling(), holdTasks: true) { harness, _, agent, _ in
                let endpoint = harness.endpoint(try harness.leader())
                var subscribe = Call()
                subscribe.type = .subscribe
                subscribe.subscribe.frameworkInfo.user = "root"
                subscribe.subscribe.frameworkInfo.name = "protobuf-framework"
                let stream = try OperatorClient(endpoint, timeoutSeconds: 20)
                stream.send("POST", "/api/v1/scheduler", body: try subscribe.serializedBytes(), headers: Self.protobufHeaders)
                let (status, headers) = try stream.readHead()
                #expect(status == 200)
                #expect(headers["content-type"] == "application/x-protobuf")
                let streamID = try #require(headers["mesos-stream-id"])

                let subscribed = try Self.next(.subscribed, from: stream)
                let frameworkID = subscribed.subscribed.frameworkID
                #expect(!frameworkID.value.isEmpty)
                #expect(subscribed.subscribed.heartbeatIntervalSeconds == 0.5)
                let offers = try Self.next(.offers, from: stream).offers.offers
                let offer = try #require(offers.first)
                #expect(offer.frameworkID == frameworkID && offer.hostname == "agent-double")
                #expect(offer.resources.contains { $0.name == "cpus" && $0.type == .scalar && $0.scalar.value > 0 })

                func post(_ call: Call) throws -> OperatorClient.Reply {
                    var call = call
                    call.frameworkID = frameworkID
                    return try OperatorClient.request(
                        endpoint, "POST", "/api/v1/scheduler", body: try call.serializedBytes(),
                        contentType: "application/x-protobuf", headers: ["Mesos-Stream-Id": streamID])
                }

                // DECLINE with no refusal: the resources come straight back in a new offer.
                var decline = Call()
                decline.type = .decline
                decline.decline.offerIds = offers.map(\.id)
                decline.decline.filters.refuseSeconds = 0
                #expect(try post(decline).status == 202)
                let again = try #require(try Self.next(.offers, from: stream).offers.offers.first)
                #expect(again.agentID == offer.agentID && again.id != offer.id)

                // ACCEPT with a LAUNCH: the task runs.
                var task = Mesos_V1_TaskInfo()
                task.name = "sleeper"
                task.taskID.value = "protobuf-task-1"
                task.agentID = again.agentID
                task.command.value = "sleep 1000"
                var cpus = Mesos_V1_Resource()
                cpus.name = "cpus"
                cpus.type = .scalar
                cpus.scalar.value = 0.5
                task.resources = [cpus]
                var accept = Call()
                accept.type = .accept
                accept.accept.offerIds = [again.id]
                var launch = Mesos_V1_Offer.Operation()
                launch.type = .launch
                launch.launch.taskInfos = [task]
                accept.accept.operations = [launch]
                #expect(try post(accept).status == 202)
                let running = try Self.update(of: task.taskID, from: stream) { $0 == .taskRunning }
                #expect(running.agentID == again.agentID && !running.uuid.isEmpty)

                // ACKNOWLEDGE it, then KILL the task: TASK_KILLED follows.
                var acknowledge = Call()
                acknowledge.type = .acknowledge
                acknowledge.acknowledge.agentID = running.agentID
                acknowledge.acknowledge.taskID = running.taskID
                acknowledge.acknowledge.uuid = running.uuid
                #expect(try post(acknowledge).status == 202)
                var kill = Call()
                kill.type = .kill
                kill.kill.taskID = task.taskID
                kill.kill.agentID = again.agentID
                #expect(try post(kill).status == 202)
                let killed = try Self.update(of: task.taskID, from: stream) { $0 == .taskKilled }
                acknowledge.acknowledge.uuid = killed.uuid
                #expect(try post(acknowledge).status == 202)
                #expect(await agent.starts.count == 1)

                // The operator API answers the same cluster in protobuf.
                let state = try Self.operatorRead(.getState, endpoint)
                #expect(state.type == .getState)
                #expect(state.getState.getAgents.agents.first?.agentInfo.hostname == "agent-double")
                #expect(state.getState.getFrameworks.frameworks.contains { $0.frameworkInfo.id == frameworkID })
                let everyTask = state.getState.getTasks.tasks + state.getState.getTasks.completedTasks
                #expect(everyTask.contains { $0.taskID == task.taskID })
                let agents = try Self.operatorRead(.getAgents, endpoint)
                #expect(agents.type == .getAgents && agents.getAgents.agents.count == 1)
                #expect(agents.getAgents.agents[0].totalResources.contains { $0.name == "cpus" })
                let frameworks = try Self.operatorRead(.getFrameworks, endpoint)
                #expect(frameworks.getFrameworks.frameworks.map(\.frameworkInfo.name) == ["protobuf-framework"])
                #expect(frameworks.getFrameworks.frameworks.first?.frameworkInfo.user == "root")

                // Nothing Corral writes in GET_STATE lacks a field number in the .proto files, but
                // the `role` its task views add (as Mesos's v0 /state does; v1's Task has none).
                let json = try OperatorClient.call(endpoint, ["type": "GET_STATE"])
                #expect(json.status == 200)
                let v1 = try JSONSerialization.data(withJSONObject: Self.removingTaskRoles(json.json))
                #expect(throws: Never.self) { try ProtobufBridge.strictProtobuf(fromJSON: Array(v1), as: Mesos_V1_Master_Response.self) }
            }
        }

        @Test func malformedProtobufIsRefusedWithAMessage() throws {
            let (harness, leader) = try QuorumHarness.servingOperatorAPI(masters: 1)
            defer { harness.stopAll() }
            let endpoint = harness.endpoint(leader)
            for path in ["/api/v1/scheduler", "/api/v1", "/api/v1/operator", "/master/api/v1"] {
                let garbage = try OperatorClient.request(
                    endpoint, "POST", path, body: [0x0a, 0xff, 0xff], contentType: "application/x-protobuf")
                #expect(garbage.status == 400, "\(path)")
                #expect(garbage.text.contains("malformed protobuf") && garbage.text.contains("not a valid protobuf mesos.v1."), "\(garbage.text)")
            }
            // A well-formed SUBSCRIBE that lacks a field Corral needs names that field.
            var subscribe = Call()
            subscribe.type = .subscribe
            subscribe.subscribe.frameworkInfo.user = "root"
            let missing = try OperatorClient.request(
                endpoint, "POST", "/api/v1/scheduler", body: try subscribe.serializedBytes(partial: true),
                contentType: "application/x-protobuf")
            #expect(missing.status == 400 && missing.text.contains("subscribe.framework_info.name"), "\(missing.text)")
            let unsupported = try OperatorClient.request(endpoint, "POST", "/api/v1/scheduler", body: [1], contentType: "text/plain")
            #expect(unsupported.status == 415 && unsupported.text.contains("application/x-protobuf"))
            let unacceptable = try OperatorClient.request(
                endpoint, "POST", "/api/v1", body: Array(#"{"type":"GET_HEALTH"}"#.utf8), headers: ["Accept": "text/html"])
            #expect(unacceptable.status == 406)
            // JSON in, protobuf out, and the other way round.
            let health = try OperatorClient.request(
                endpoint, "POST", "/api/v1", body: Array(#"{"type":"GET_HEALTH"}"#.utf8),
                headers: ["Accept": "application/x-protobuf"])
            #expect(health.headers["content-type"] == "application/x-protobuf")
            let decoded = try Mesos_V1_Master_Response(serializedBytes: health.body)
            #expect(decoded.type == .getHealth && decoded.getHealth.healthy)
            var version = Mesos_V1_Master_Call()
            version.type = .getVersion
            let json = try OperatorClient.request(
                endpoint, "POST", "/api/v1", body: try version.serializedBytes(), contentType: "application/x-protobuf")
            #expect(json.status == 200 && json.headers["content-type"] == "application/json")
            #expect((json.json["get_version"] as? [String: Any])?["version_info"] != nil)
        }

        /// The operator stream in protobuf, and a scheduler stream asked for as RecordIO with
        /// protobuf records (`Accept: application/recordio`, `Message-Accept`).
        @Test func streamsCarryProtobufRecords() throws {
            let (harness, leader) = try QuorumHarness.servingOperatorAPI(masters: 1)
            defer { harness.stopAll() }
            let endpoint = harness.endpoint(leader)
            var operatorSubscribe = Mesos_V1_Master_Call()
            operatorSubscribe.type = .subscribe
            let operatorStream = try OperatorClient(endpoint, timeoutSeconds: 20)
            operatorStream.send("POST", "/api/v1", body: try operatorSubscribe.serializedBytes(), headers: Self.protobufHeaders)
            let (operatorStatus, operatorHeaders) = try operatorStream.readHead()
            #expect(operatorStatus == 200 && operatorHeaders["content-type"] == "application/x-protobuf")
            let first = try Mesos_V1_Master_Event(serializedBytes: try operatorStream.nextRecord())
            #expect(first.type == .subscribed && first.subscribed.hasGetState)

            var subscribe = Call()
            subscribe.type = .subscribe
            subscribe.subscribe.frameworkInfo.user = "root"
            subscribe.subscribe.frameworkInfo.name = "recordio-framework"
            let stream = try OperatorClient(endpoint, timeoutSeconds: 20)
            stream.send("POST", "/api/v1/scheduler", body: try subscribe.serializedBytes(), headers: [
                "Content-Type": "application/x-protobuf", "Accept": "application/recordio", "Message-Accept": "application/x-protobuf",
            ])
            let (status, headers) = try stream.readHead()
            #expect(status == 200 && headers["content-type"] == "application/recordio")
            #expect(headers["message-content-type"] == "application/x-protobuf")
            let subscribed = try Self.next(.subscribed, from: stream)
            var added: Mesos_V1_Master_Event
            repeat { added = try Mesos_V1_Master_Event(serializedBytes: try operatorStream.nextRecord()) } while added.type == .heartbeat
            #expect(added.type == .frameworkAdded)
            #expect(added.frameworkAdded.framework.frameworkInfo.id == subscribed.subscribed.frameworkID)
            #expect(added.frameworkAdded.framework.frameworkInfo.name == "recordio-framework")
        }

        /// `json` without the `role` of its Task objects (those with `task_id` and `statuses`).
        static func removingTaskRoles(_ json: Any) -> Any {
            if let array = json as? [Any] { return array.map(removingTaskRoles) }
            guard var object = json as? [String: Any] else { return json }
            if object["task_id"] != nil, object["statuses"] != nil { object["role"] = nil }
            return object.mapValues(removingTaskRoles)
        }

        static let protobufHeaders = ["Content-Type": "application/x-protobuf", "Accept": "application/x-protobuf"]

        /// Skips events until one of `type` (heartbeats included) arrives.
        static func next(_ type: Event.TypeEnum, from stream: OperatorClient) throws -> Event {
            while true {
                let event = try Event(serializedBytes: try stream.nextRecord())
                if event.type == type { return event }
            }
        }

        /// Skips events until an UPDATE of `task` whose state passes `wanted`.
        static func update(
            of task: Mesos_V1_TaskID, from stream: OperatorClient, _ wanted: (Mesos_V1_TaskState) -> Bool
        ) throws -> Mesos_V1_TaskStatus {
            while true {
                let status = try next(.update, from: stream).update.status
                if status.taskID == task && wanted(status.state) { return status }
            }
        }

        /// An operator read call sent and answered in protobuf.
        static func operatorRead(_ type: Mesos_V1_Master_Call.TypeEnum, _ endpoint: String) throws -> Mesos_V1_Master_Response {
            var call = Mesos_V1_Master_Call()
            call.type = type
            let reply = try OperatorClient.request(
                endpoint, "POST", "/api/v1/operator", body: try call.serializedBytes(),
                contentType: "application/x-protobuf", headers: ["Accept": "application/x-protobuf"])
            guard reply.status == 200, reply.headers["content-type"] == "application/x-protobuf" else {
                throw HarnessError("\(type) answered \(reply.status) \(reply.headers): \(reply.text)")
            }
            return try Mesos_V1_Master_Response(serializedBytes: reply.body)
        }
    }
}
