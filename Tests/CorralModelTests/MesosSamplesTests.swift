import Foundation
import Testing

@testable import CorralModel

@Suite("Decoding Mesos's documented JSON")
struct MesosSamplesTests {
    @Test func subscribe() throws {
        let call = try MesosJSON.decode(SchedulerCall.self, from: Array(MesosSamples.subscribeCall.utf8))
        #expect(call.type == .subscribe)
        let info = try #require(call.subscribe?.frameworkInfo)
        #expect(info.user == "foo" && info.name == "Example HTTP Framework")
        #expect(info.effectiveRoles == ["test"])
        #expect(info.capabilities.count == 2)
        #expect(info.capabilities[1].type?.isKnown == false)
        #expect(info.capabilities[1].type?.rawValue == "SOMETHING_FROM_THE_FUTURE")
    }

    @Test func subscribed() throws {
        let event = try MesosJSON.decode(SchedulerEvent.self, from: Array(MesosSamples.subscribedEvent.utf8))
        #expect(event.type == .subscribed)
        #expect(event.subscribed?.frameworkID == "12220-3440-12532-2345")
        #expect(event.subscribed?.heartbeatIntervalSeconds == 15)
    }

    @Test func offers() throws {
        let event = try MesosJSON.decode(SchedulerEvent.self, from: Array(MesosSamples.offersEvent.utf8))
        #expect(event.type == .offers)
        let offers = try #require(event.offers?.offers)
        #expect(offers.count == 2)
        let offer = offers[0]
        #expect(offer.id == "12214-23523-O235235")
        #expect(offer.agentID == "12325-23523-S23523")
        #expect(offer.hostname == "agent.host")
        #expect(offer.url?.address.port == 5051)
        #expect(offer.allocationInfo?.role == "test")
        #expect(offer.domain?.faultDomain?.zone.name == "us-west-2a")
        #expect(offer.attributes.first { $0.name == "rack" }?.text?.value == "r7")
        let resources = Resources(offer.resources)
        #expect(resources.cpus == 3.9)
        #expect(resources.memMegabytes == 14895)
        #expect(resources.diskMegabytes == 26541)
        #expect(resources.ports == Ranges(31000...31004, 31006...32000))
        #expect(resources.reserved("test").names == ["ports"])
        #expect(resources.allocatedTo("test").count == 4)
        #expect(offers[1].id == "12214-23523-O235236", "the docs' offer_id spelling is accepted")
        #expect(offers[1].resources.isEmpty)
        let protoShape = try MesosJSON.encode(SchedulerEvent.offers(offers))
        #expect(String(decoding: protoShape, as: UTF8.self).contains(#""offers":{"offers":["#))
        #expect(try MesosJSON.decode(SchedulerEvent.self, from: protoShape).offers?.offers == offers)
    }

    @Test func update() throws {
        let event = try MesosJSON.decode(SchedulerEvent.self, from: Array(MesosSamples.updateEvent.utf8))
        let status = try #require(event.update?.status)
        #expect(status.taskID == "12344-my-task")
        #expect(status.state == .running && !status.state.isTerminal)
        #expect(status.source == .executor)
        #expect(status.uuid == [UInt8](Data(base64Encoded: "adfadfadbhgvjayd23r2uahj") ?? Data()))
        #expect(status.uuid?.count == 18)
        #expect(status.data == nil, "the docs' `bytes` key is not a TaskStatus field")
        #expect(status.timestamp == 1476989245.36412)
        #expect(status.healthy == true)
        #expect(status.containerStatus?.executorPID == 1234)
        #expect(status.containerStatus?.networkInfos.first?.ipAddresses.first?.ipAddress == "10.0.0.7")
    }

    @Test func acceptWithLaunch() throws {
        let call = try MesosJSON.decode(SchedulerCall.self, from: Array(MesosSamples.acceptLaunchCall.utf8))
        #expect(call.type == .accept)
        #expect(call.frameworkID == "12220-3440-12532-2345")
        let accept = try #require(call.accept)
        #expect(accept.offerIDs == ["12220-3440-12532-O12"])
        #expect(accept.filters?.refuseSeconds == 5)
        let operation = try #require(accept.operations.first)
        #expect(operation.type == .launch)
        let task = try #require(operation.launch?.taskInfos.first)
        #expect(task.name == "My Task")
        #expect(task.taskID == "12220-3440-12532-my-task")
        #expect(task.executor?.executorID == "my-executor")
        #expect(task.command?.isShell == false)
        #expect(task.command?.arguments == ["env", "-i"])
        #expect(task.command?.environment?.variables.map(\.name) == ["FOO", "TOKEN"])
        #expect(task.command?.environment?.variables[1].type == .secret)
        #expect(task.command?.uris.first?.cache == false)
        #expect(task.container?.type == .mesos)
        #expect(task.container?.mesos?.image?.docker?.name == "library/redis")
        #expect(task.container?.volumes.first?.source?.sandboxPath?.path == "data")
        #expect(task.container?.networkInfos.first?.name == "mesos-bridge")
        #expect(Resources(task.resources).cpus == 1)
        #expect(task.data == Array("hello".utf8))
        #expect(task.labels?["k"] == "v")
        #expect(task.killPolicy?.gracePeriod?.nanoseconds == 3_000_000_000)
        #expect(task.healthCheck?.delaySeconds == 5)
    }

    @Test func errorEventInTheDocsShape() throws {
        let event = try MesosJSON.decode(SchedulerEvent.self, from: Array(MesosSamples.errorEvent.utf8))
        #expect(event.type == .error)
        #expect(event.error?.message == "Framework is not authorized")
        let protoShape = #"{"type":"ERROR","error":{"message":"no"}}"#
        #expect(
            try MesosJSON.decode(SchedulerEvent.self, from: Array(protoShape.utf8)).error?.message == "no"
        )
    }
}
