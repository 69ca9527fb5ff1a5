import CorralAgent
import CorralMaster
import CorralModel
import CorralProtobuf
import SwiftProtobuf

/// The targets, grouped by the module whose parsers they feed.
enum FuzzTargets {}

// MARK: - Mesos API bodies and framing

extension FuzzTargets {
    static let model: [FuzzTarget] = [
        FuzzTarget(
            name: "mesos-scheduler-call", summary: "Mesos JSON scheduler Call (POST /api/v1/scheduler)",
            format: .text, seeds: MesosSeeds.schedulerCalls.map { [UInt8](utf8: $0) }
        ) { input, _ in _ = try MesosJSON.decode(SchedulerCall.self, from: input) },
        FuzzTarget(
            name: "mesos-operator-call", summary: "Mesos JSON operator Call (POST /api/v1 on a master)",
            format: .text, seeds: MesosSeeds.operatorCalls.map { [UInt8](utf8: $0) }
        ) { input, _ in try MasterInputs.decodeOperatorCall(json: input) },
        FuzzTarget(
            name: "mesos-agent-call", summary: "Mesos JSON agent operator Call (POST /api/v1 on an agent)",
            format: .text, seeds: MesosSeeds.agentCalls.map { [UInt8](utf8: $0) }
        ) { input, _ in
            if let refusal = AgentInputs.decodeOperatorCall(input) { throw FuzzError(refusal) }
        },
        FuzzTarget(
            name: "mesos-executor-call", summary: "Mesos JSON executor Call (POST /api/v1/executor)",
            format: .text, seeds: MesosSeeds.executorCalls.map { [UInt8](utf8: $0) }
        ) { input, _ in _ = try MesosJSON.decode(ExecutorCall.self, from: input) },
        FuzzTarget(
            name: "mesos-protobuf-call", summary: "protobuf scheduler and operator Calls (application/x-protobuf)",
            format: .binary, seeds: MesosSeeds.protobufCalls
        ) { input, _ in
            var refusals = 0
            do { try MasterInputs.decodeSchedulerCall(protobuf: input) } catch { refusals += 1 }
            do { try MasterInputs.decodeOperatorCall(protobuf: input) } catch { refusals += 1 }
            if refusals == 2 { throw FuzzError("refused as both calls") }
        },
        FuzzTarget(
            name: "recordio", summary: "RecordIO framing of event streams, fed in uneven chunks",
            format: .binary, seeds: MesosSeeds.recordIOStreams
        ) { input, _ in
            var decoder = RecordIODecoder(maximumRecordBytes: 1 << 20)
            var start = 0
            var step = 1
            while start < input.count {
                let end = min(input.count, start + step)
                _ = try decoder.decode(input[start..<end])
                start = end
                step = step * 3 % 17 + 1
            }
            try decoder.finish()
        },
    ]
}

/// Valid Mesos inputs the model targets start from.
enum MesosSeeds {
    static let schedulerCalls = [
        #"{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"foo","name":"fw","roles":["test"],"#
            + #""capabilities":[{"type":"MULTI_ROLE"}],"failover_timeout":3600.5},"force":true}}"#,
        #"{"type":"ACCEPT","framework_id":{"value":"fw-1"},"accept":{"offer_ids":[{"value":"o-1"}],"#
            + #""operations":[{"type":"LAUNCH","launch":{"task_infos":[{"task_id":{"value":"t-0"},"#
            + #""agent_id":{"value":"a-1"},"name":"t-0","resources":[{"name":"cpus","type":"SCALAR","#
            + #""scalar":{"value":0.1}},{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":31005}]}}],"#
            + #""command":{"value":"true"}}]}}],"filters":{"refuse_seconds":5}}}"#,
        #"{"type":"DECLINE","framework_id":{"value":"fw-1"},"decline":{"offer_ids":[{"value":"o-2"}]}}"#,
        #"{"type":"KILL","framework_id":{"value":"fw-1"},"kill":{"task_id":{"value":"t-0"},"agent_id":{"value":"a-1"}}}"#,
        #"{"type":"ACKNOWLEDGE","framework_id":{"value":"fw-1"},"acknowledge":{"agent_id":{"value":"a-1"},"#
            + #""task_id":{"value":"t-0"},"uuid":"AAECAwQFBgcICQoLDA0ODw=="}}"#,
        #"{"type":"RECONCILE","framework_id":{"value":"fw-1"},"reconcile":{"tasks":[{"task_id":{"value":"t"}}]}}"#,
    ]

    static let operatorCalls = [
        #"{"type":"GET_HEALTH"}"#,
        #"{"type":"UPDATE_WEIGHTS","update_weights":{"weight_infos":[{"role":"dev","weight":2.5}]}}"#,
        #"{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"dev","guarantees":{"cpus":{"value":1}},"#
            + #""limits":{"mem":{"value":1024}}}]}}"#,
        #"{"type":"RESERVE_RESOURCES","reserve_resources":{"agent_id":{"value":"a-1"},"resources":[{"name":"cpus","#
            + #""type":"SCALAR","scalar":{"value":1},"reservations":[{"type":"DYNAMIC","role":"dev"}]}]}}"#,
        #"{"type":"TEARDOWN","teardown":{"framework_id":{"value":"fw-1"}}}"#,
    ]

    static let agentCalls = [
        #"{"type":"GET_HEALTH"}"#,
        #"{"type":"GET_CONTAINERS","get_containers":{"show_nested":true}}"#,
        #"{"type":"READ_FILE","read_file":{"path":"/x/stdout","offset":0,"length":100}}"#,
        #"{"type":"LAUNCH_NESTED_CONTAINER_SESSION","launch_nested_container_session":{"container_id":{"value":"c","#
            + #""parent":{"value":"p"}},"command":{"shell":false,"value":"ls","arguments":["ls","-l"]}}}"#,
    ]

    static let executorCalls = [
        #"{"type":"SUBSCRIBE","executor_id":{"value":"e"},"framework_id":{"value":"fw-1"},"subscribe":{}}"#,
        #"{"type":"UPDATE","executor_id":{"value":"e"},"framework_id":{"value":"fw-1"},"update":{"status":{"#
            + #""task_id":{"value":"t"},"state":"TASK_RUNNING","source":"SOURCE_EXECUTOR","uuid":"AAEC","timestamp":1.5}}}"#,
        #"{"type":"MESSAGE","executor_id":{"value":"e"},"framework_id":{"value":"fw-1"},"message":{"data":"aGk="}}"#,
    ]

    static let recordIOStreams: [[UInt8]] = [
        RecordIO.encode(records: schedulerCalls.prefix(2).map { Array($0.utf8) }),
        RecordIO.encode(records: [[UInt8](), [1, 2, 3], Array(repeating: 10, count: 40)]),
    ]

    static var protobufCalls: [[UInt8]] {
        var subscribe = Mesos_V1_Scheduler_Call()
        subscribe.type = .subscribe
        subscribe.subscribe.frameworkInfo.user = "u"
        subscribe.subscribe.frameworkInfo.name = "fw"
        subscribe.subscribe.frameworkInfo.roles = ["a", "b"]
        var decline = Mesos_V1_Scheduler_Call()
        decline.type = .decline
        decline.frameworkID.value = "fw-1"
        decline.decline.offerIds = [Mesos_V1_OfferID.with { $0.value = "o-1" }]
        var weights = Mesos_V1_Master_Call()
        weights.type = .updateWeights
        weights.updateWeights.weightInfos = [Mesos_V1_WeightInfo.with { $0.role = "dev"; $0.weight = 2 }]
        let messages: [any SwiftProtobuf.Message] = [subscribe, decline, weights]
        return messages.compactMap { try? $0.serializedBytes() }
    }
}
