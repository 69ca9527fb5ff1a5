import Testing

@testable import CorralModel

@Suite("Unknown fields, unknown enum values, malformed input")
struct TolerantDecodingTests {
    @Test func unknownFieldsAreIgnored() throws {
        let json =
            #"{"task_id":{"value":"t","extra":1},"state":"TASK_FAILED","new_field":{"a":[1,2,3]},"#
            + #""limitation":{"resources":[]},"check_status":{"type":"COMMAND"}}"#
        let status = try Fixtures.decode(TaskStatus.self, json)
        #expect(status.taskID == "t")
        #expect(status.state.isTerminal)
    }

    @Test func unknownEnumValuesRoundTrip() throws {
        let json =
            #"{"task_id":{"value":"t"},"state":"TASK_TELEPORTED","source":"SOURCE_ORBIT","reason":"REASON_COSMIC_RAY"}"#
        let status = try Fixtures.decode(TaskStatus.self, json)
        #expect(status.state.rawValue == "TASK_TELEPORTED")
        #expect(!status.state.isKnown && !status.state.isTerminal)
        #expect(status.source?.isKnown == false)
        #expect(status.reason?.rawValue == "REASON_COSMIC_RAY")
        let back = try Fixtures.roundTrip(status)
        #expect(back == status)
        let event = try Fixtures.decode(
            SchedulerEvent.self,
            #"{"type":"UPDATE_SOMETHING_NEW","something":{}}"#
        )
        #expect(event.type?.isKnown == false)
    }

    @Test func everyKnownNameIsDistinct() {
        #expect(Set(TaskState.known).count == 14)
        #expect(Set(TaskStatus.Reason.known).count == TaskStatus.Reason.known.count)
        #expect(TaskStatus.Reason.known.count == 36)
        #expect(TaskState.known.filter(\.isTerminal).count == 8)
        #expect(!TaskState.unreachable.isTerminal && !TaskState.killing.isTerminal)
    }

    @Test func integersWrittenAsStringsAreAccepted() throws {
        let ranges = try Fixtures.decode(Ranges.self, #"{"range":[{"begin":"31000","end":32000}]}"#)
        #expect(ranges == Ranges(31000...32000))
        let duration = try Fixtures.decode(KillPolicy.self, #"{"grace_period":{"nanoseconds":"5000000000"}}"#)
        #expect(duration.gracePeriod?.nanoseconds == 5_000_000_000)
        #expect(throws: DecodingError.self) {
            try Fixtures.decode(Ranges.self, #"{"range":[{"begin":"-1","end":2}]}"#)
        }
    }

    @Test func missingRequiredFieldIsATypedError() {
        do {
            _ = try MesosJSON.decode(
                TaskInfo.self,
                from: Array(#"{"name":"x","task_id":{"value":"t"}}"#.utf8)
            )
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.message.contains("agent_id: required field is missing"), "\(error.message)")
        }
    }

    @Test func wrongTypeIsATypedError() {
        let json =
            #"{"offers":{"offers":[{"id":{"value":"o"},"framework_id":{"value":"f"},"#
            + #""agent_id":{"value":"a"},"hostname":"h","resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":"lots"}}]}]}}"#
        do {
            _ = try MesosJSON.decode(SchedulerEvent.self, from: Array(json.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.message.contains("offers.offers[0].resources[0].scalar.value"), "\(error.message)")
        }
    }

    @Test func badBase64AndBadScalarsAreTypedErrors() {
        do {
            _ = try MesosJSON.decode(
                TaskStatus.self,
                from: Array(#"{"task_id":{"value":"t"},"state":"TASK_RUNNING","uuid":"%%%"}"#.utf8)
            )
            Issue.record("expected an error")
        } catch {
            #expect(
                error.message.contains("uuid") && error.message.contains("not base64"),
                "\(error.message)"
            )
        }
        do {
            _ = try MesosJSON.decode(
                Resource.self,
                from: Array(#"{"name":"cpus","type":"SCALAR","scalar":{"value":1e300}}"#.utf8)
            )
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("invalidScalar"), "\(error.message)")
        }
        do {
            _ = try MesosJSON.decode(Resource.self, from: Array("not json".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidJSON)
        }
    }
}
