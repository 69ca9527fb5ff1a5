import Testing

@testable import CorralModel

@Suite("JSON round trips of call, event and operation payloads")
struct PayloadRoundTripTests {
    @Test func calls() throws {
        var kill = SchedulerCall(type: .kill, frameworkID: "F")
        kill.kill = .init(taskID: "T", agentID: "S", killPolicy: KillPolicy(gracePeriod: .seconds(3)))
        var shutdown = SchedulerCall(type: .shutdown, frameworkID: "F")
        shutdown.shutdown = .init(executorID: "E", agentID: "S")
        var reconcile = SchedulerCall(type: .reconcile, frameworkID: "F")
        reconcile.reconcile = .init(tasks: [.init(taskID: "T", agentID: "S"), .init(taskID: "U")])
        var revive = SchedulerCall(type: .revive, frameworkID: "F")
        revive.revive = .init(roles: ["web"])
        var suppress = SchedulerCall(type: .suppress, frameworkID: "F")
        suppress.suppress = .init()
        var message = SchedulerCall(type: .message, frameworkID: "F")
        message.message = .init(agentID: "S", executorID: "E", data: [1, 2, 3])
        let teardown = SchedulerCall(type: .teardown, frameworkID: "F")
        for call in [kill, shutdown, reconcile, revive, suppress, message, teardown] {
            #expect(try Fixtures.roundTrip(call) == call)
        }
        let json = String(decoding: try MesosJSON.encode(message), as: UTF8.self)
        #expect(json.contains(#""data":"AQID""#))
    }

    @Test func events() throws {
        var rescind = SchedulerEvent(type: .rescind)
        rescind.rescind = .init(offerID: "O")
        var message = SchedulerEvent(type: .message)
        message.message = .init(agentID: "S", executorID: "E", data: [0xFF])
        var failure = SchedulerEvent(type: .failure)
        failure.failure = .init(agentID: "S", executorID: "E", status: 137)
        var error = SchedulerEvent(type: .error)
        error.error = .init(message: "Framework is not authorized")
        var subscribed = SchedulerEvent.subscribed("F", heartbeatIntervalSeconds: 15)
        subscribed.subscribed?.masterInfo = MasterInfo(id: "m", hostname: "m1")
        for event in [rescind, message, failure, error, subscribed] {
            #expect(try Fixtures.roundTrip(event) == event)
        }
    }

    /// ACKNOWLEDGE_OPERATION_STATUS's uuid as the proto has it (base64 bytes) and as pymesos
    /// sends it (the status's `{"value": …}` UUID, beside the status's other fields).
    @Test func operationAcknowledgementsDecodeInBothShapes() throws {
        for json in [
            #"{"type":"ACKNOWLEDGE_OPERATION_STATUS","acknowledge_operation_status":{"operation_id":{"value":"op"},"uuid":"AQI="}}"#,
            #"{"type":"ACKNOWLEDGE_OPERATION_STATUS","acknowledge_operation_status":{"operation_id":{"value":"op"},"#
                + #""state":"OPERATION_FINISHED","uuid":{"value":"AQI="}}}"#,
        ] {
            let call = try Fixtures.decode(SchedulerCall.self, json)
            #expect(call.acknowledgeOperationStatus?.uuid == [1, 2] && call.acknowledgeOperationStatus?.operationID == "op", "\(json)")
        }
    }

    @Test func operations() throws {
        var volume = Resource.scalar("disk", 64, role: "db")
        volume.disk = .init(
            persistence: .init(id: "v1"),
            volume: Volume(mode: .readWrite, containerPath: "data")
        )
        var reserve = Offer.Operation(type: .reserve, id: "op-1")
        reserve.reserve = .init(resources: [.scalar("cpus", 1, role: "db")], source: [.scalar("cpus", 1)])
        var unreserve = Offer.Operation(type: .unreserve)
        unreserve.unreserve = .init(resources: [.scalar("cpus", 1, role: "db")])
        var create = Offer.Operation(type: .create)
        create.create = .init(volumes: [volume])
        var destroy = Offer.Operation(type: .destroy)
        destroy.destroy = .init(volumes: [volume])
        var grow = Offer.Operation(type: .growVolume)
        grow.growVolume = .init(volume: volume, addition: .scalar("disk", 16, role: "db"))
        var shrink = Offer.Operation(type: .shrinkVolume)
        shrink.shrinkVolume = .init(volume: volume, subtract: 8)
        let decoded = try Fixtures.decode(
            Offer.Operation.self,
            #"{"type":"SHRINK_VOLUME","shrink_volume":{"volume":{"name":"disk","type":"SCALAR","scalar":{"value":64},"#
                + #""disk":{"persistence":{"id":"v1"}}},"subtract":{"value":8}}}"#
        )
        #expect(decoded.shrinkVolume?.subtract == 8 && decoded.shrinkVolume?.volume.persistenceID == "v1")
        for operation in [reserve, unreserve, create, destroy, grow, shrink] {
            #expect(try Fixtures.roundTrip(operation) == operation)
        }
    }

    @Test func smallMessages() throws {
        let attributes: [Attribute] = [
            .text("rack", "r1"), .scalar("gen", 2.5),
            Attribute(name: "ports", type: .ranges, ranges: Ranges(1...3)),
            Attribute(name: "zones", type: .set, set: .init(["a"])),
        ]
        #expect(try Fixtures.roundTrip(attributes) == attributes)
        let docker = ContainerInfo(
            type: .docker,
            docker: .init(image: "redis", network: "BRIDGE"),
            networkInfos: [NetworkInfo(ipAddresses: [.init(protocol: "IPv6", ipAddress: "::1")])]
        )
        #expect(try Fixtures.roundTrip(docker) == docker)
        let check = HealthCheck(type: "TCP", tcp: .init(port: 6379))
        #expect(try Fixtures.roundTrip(check) == check)
        let domain = DomainInfo(region: "eu", zone: "eu-1b")
        #expect(try Fixtures.roundTrip(domain) == domain)
        #expect(
            try Fixtures.roundTrip(Parameters([.init(key: "k", value: "v")]))
                == Parameters([.init(key: "k", value: "v")])
        )
        #expect(try Fixtures.decode(Filters.self, "{}").refuseSeconds == 5)
        #expect(try Fixtures.decode(CommandInfo.self, #"{"value":"ls"}"#).isShell)
    }
}
