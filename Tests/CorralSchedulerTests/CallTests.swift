import CorralModel
import CorralScheduler
import Testing

@Suite("Calls to the master")
struct CallTests {
    @Test func callsCarryTheStreamIDAndFrameworkID() async throws {
        try await withMasters(1) { masters in
            let master = masters[0]
            try await withClient(testConfiguration(masters: [master.address])) { client, log in
                try await eventually("SUBSCRIBED") { await client.isSubscribed }
                let streamID = try #require(master.openStreamIDs.first)
                try await client.decline(["offer-1"], filters: Filters(refuseSeconds: 30))
                try await client.kill("task-1", agentID: "agent-1")
                try await client.reconcile([("task-1", "agent-1")])
                try await client.suppress(roles: ["web"])
                try await client.message(agentID: "agent-1", executorID: "exec-1", data: [7])
                let offer = Offer(id: "offer-2", frameworkID: "fw-1", agentID: "agent-1", hostname: "node-1")
                try await client.launch(
                    offer,
                    tasks: [TaskInfo(name: "t", taskID: "task-2", agentID: "agent-1")]
                )
                let calls = master.calls.filter { $0.call.type != .subscribe }
                #expect(
                    calls.map(\.call.type) == [.decline, .kill, .reconcile, .suppress, .message, .accept]
                )
                for call in calls {
                    #expect(call.headers["mesos-stream-id"] == streamID)
                    #expect(call.call.frameworkID == "fw-1")
                    #expect(call.headers["content-type"] == "application/json")
                }
                #expect(calls[0].call.decline?.filters?.refuseSeconds == 30)
                #expect(calls[2].call.reconcile?.tasks.first?.agentID == "agent-1")
                #expect(calls[5].call.accept?.offerIDs == ["offer-2"])
                #expect(calls[5].call.accept?.operations.first?.launch?.taskInfos.first?.taskID == "task-2")
            }
        }
    }

    @Test func updatesWithAUUIDAreAcknowledgedImplicitly() async throws {
        try await withMasters(1) { masters in
            let master = masters[0]
            try await withClient(testConfiguration(masters: [master.address])) { client, log in
                try await eventually("SUBSCRIBED") { await client.isSubscribed }
                let streamID = try #require(master.openStreamIDs.first)
                try master.send(
                    .update(
                        TaskStatus(taskID: "task-1", state: .running, agentID: "agent-1", uuid: [1, 2, 3])
                    )
                )
                try master.send(.update(TaskStatus(taskID: "task-2", state: .running, agentID: "agent-1")))
                try await eventually("an ACKNOWLEDGE") {
                    master.calls.contains { $0.call.type == .acknowledge }
                }
                try await eventually("both UPDATEs") {
                    log.schedulerEvents.filter { $0.type == .update }.count == 2
                }
                let acks = master.calls.filter { $0.call.type == .acknowledge }
                #expect(acks.count == 1)
                let ack = try #require(acks.first)
                #expect(ack.call.acknowledge?.uuid == [1, 2, 3])
                #expect(ack.call.acknowledge?.taskID == "task-1")
                #expect(ack.call.acknowledge?.agentID == "agent-1")
                #expect(ack.call.frameworkID == "fw-1")
                #expect(ack.headers["mesos-stream-id"] == streamID)
            }
        }
    }

    @Test func explicitAcknowledgementsAreLeftToTheScheduler() async throws {
        try await withMasters(1) { masters in
            let master = masters[0]
            let configuration = testConfiguration(masters: [master.address], implicitAcknowledgements: false)
            try await withClient(configuration) { client, log in
                try await eventually("SUBSCRIBED") { await client.isSubscribed }
                let status = TaskStatus(taskID: "task-1", state: .running, agentID: "agent-1", uuid: [9])
                try master.send(.update(status))
                try await eventually("the UPDATE") { log.schedulerEvents.contains { $0.type == .update } }
                #expect(!master.calls.contains { $0.call.type == .acknowledge })
                try await client.acknowledge(status)
                #expect(master.calls.filter { $0.call.type == .acknowledge }.count == 1)
                let noUUID = TaskStatus(taskID: "task-1", state: .running, agentID: "agent-1")
                let error = await #expect(throws: SchedulerError.self) {
                    try await client.acknowledge(noUUID)
                }
                #expect(error?.code == .invalidArgument)
            }
        }
    }

    @Test func callsWhileUnsubscribedThrow() async throws {
        let client = try SchedulerClient(testConfiguration(masters: ["127.0.0.1:1"]))
        let error = await #expect(throws: SchedulerError.self) { try await client.decline(["offer-1"]) }
        #expect(error?.code == .notSubscribed)
        #expect(error?.message.contains("DECLINE") == true)
    }

    @Test func aRejectedCallThrowsTheMastersMessage() async throws {
        try await withMasters(1) { masters in
            let master = masters[0]
            try await withClient(testConfiguration(masters: [master.address])) { client, _ in
                try await eventually("SUBSCRIBED") { await client.isSubscribed }
                master.answerCalls(.badRequest, body: "Offer offer-1 is no longer valid")
                let error = await #expect(throws: SchedulerError.self) {
                    try await client.decline(["offer-1"])
                }
                #expect(error?.code == .rejected)
                #expect(error?.status == 400)
                #expect(error?.message.contains("no longer valid") == true)
                #expect(error?.isRetryable == false)
            }
        }
    }

    @Test func aCallWhoseOutcomeIsUnknownIsNotMistakenForNotApplied() async throws {
        try await withMasters(1) { masters in
            let master = masters[0]
            try await withClient(testConfiguration(masters: [master.address])) { client, _ in
                try await eventually("SUBSCRIBED") { await client.isSubscribed }
                master.answerCalls(
                    .gatewayTimeout, body: #"{"message":"the call may or may not have been committed","outcome":"unknown"}"#)
                let error = await #expect(throws: SchedulerError.self) { try await client.revive() }
                #expect(error?.code == .outcomeUnknown)
                #expect(error?.status == 504)
                #expect(error?.isRetryable == false, "a call that may have taken effect is not retried blindly")
            }
        }
    }

    @Test func aRedirectedCallThrowsRetryableAndResubscribesAtTheLeader() async throws {
        try await withMasters(2) { masters in
            let (old, new) = (masters[0], masters[1])
            try await withClient(testConfiguration(masters: [old.address])) { client, log in
                try await eventually("SUBSCRIBED") { log.subscribedMasters.count == 1 }
                old.answerCalls(.temporaryRedirect, location: "//\(new.address)/api/v1/scheduler")
                old.setBehavior(.redirect(location: "//\(new.address)/api/v1/scheduler"))
                let error = await #expect(throws: SchedulerError.self) { try await client.revive() }
                #expect(error?.code == .redirected)
                #expect(error?.isRetryable == true)
                try await eventually("SUBSCRIBED at the new leader") {
                    log.subscribedMasters.last == new.address
                }
                #expect(new.subscribes.first?.call.subscribe?.frameworkInfo.id == "fw-1")
                try await client.revive()
                #expect(new.calls.contains { $0.call.type == .revive })
            }
        }
    }

    @Test func updateFrameworkIsSentAndKeptForResubscription() async throws {
        try await withMasters(1) { masters in
            let master = masters[0]
            try await withClient(testConfiguration(masters: [master.address])) { client, log in
                try await eventually("SUBSCRIBED") { await client.isSubscribed }
                try await client.updateFramework(
                    FrameworkInfo(user: "test", name: "renamed"),
                    suppressedRoles: ["db"]
                )
                let update = try #require(master.calls.first { $0.call.type == .updateFramework })
                #expect(update.call.updateFramework?.frameworkInfo.id == "fw-1")
                #expect(update.call.updateFramework?.suppressedRoles == ["db"])
                master.dropStreams()
                try await eventually("SUBSCRIBED again") { log.subscribedMasters.count == 2 }
                #expect(master.subscribes.last?.call.subscribe?.frameworkInfo.name == "renamed")
            }
        }
    }

    @Test func teardownStopsTheClient() async throws {
        try await withMasters(1) { masters in
            try await withClient(testConfiguration(masters: [masters[0].address])) { client, _ in
                try await eventually("SUBSCRIBED") { await client.isSubscribed }
                try await client.teardown()
                #expect(masters[0].calls.contains { $0.call.type == .teardown })
                #expect(await !client.isSubscribed)
            }
        }
    }
}
