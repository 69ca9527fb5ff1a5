import Testing

@testable import CorralModel

@Suite("UPDATE_FRAMEWORK call")
struct UpdateFrameworkTests {
    @Test func roundTrips() throws {
        var info = FrameworkInfo(user: "u", name: "n", id: "F", roles: ["web", "db"])
        info.capabilities = [.init(.multiRole)]
        let call = SchedulerCall.updateFramework(info, suppressedRoles: ["db"])
        #expect(call.type == .updateFramework)
        #expect(call.frameworkID == "F")
        #expect(try Fixtures.roundTrip(call) == call)
        let json = String(decoding: try MesosJSON.encode(call), as: UTF8.self)
        #expect(json.contains(#""update_framework":{"#))
        #expect(json.contains(#""suppressed_roles":["db"]"#))
    }

    @Test func decodesTheMesosShape() throws {
        let json = #"""
            {"framework_id":{"value":"F"},"type":"UPDATE_FRAMEWORK",
             "update_framework":{"framework_info":{"user":"u","name":"n","id":{"value":"F"},"roles":["web"]},
                                 "offer_constraints":{"role_constraints":{}}}}
            """#
        let call = try Fixtures.decode(SchedulerCall.self, json)
        #expect(call.updateFramework?.frameworkInfo.roles == ["web"])
        #expect(call.updateFramework?.suppressedRoles == [])
    }
}
