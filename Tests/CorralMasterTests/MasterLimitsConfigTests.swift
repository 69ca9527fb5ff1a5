import CorralMaster
import Testing

/// `[limits]` in a master's config: keys read, defaults kept, bad values named.
struct MasterLimitsConfigTests {
    @Test func theSectionIsReadAndUnsetKeysKeepTheirDefaults() throws {
        let limits = try MasterConfig.parse(
            "[limits]\nmax_body_bytes = 2048\noperator_max_body_bytes = 8192\nrequests_per_second = 2.5\nburst = 4\n"
                + "max_connections = 10\nheader_timeout_seconds = 0.5\n"
        ).limits
        #expect(limits.maxBodyBytes(for: .other) == 2048)
        #expect(limits.maxBodyBytes(for: .scheduler) == 2048)
        #expect(limits.maxBodyBytes(for: .operator) == 8192)
        #expect(limits.rate == .init(perSecond: 2.5, burst: 4))
        #expect(limits.maxConnections == 10)
        #expect(limits.timeouts.header == .milliseconds(500) && limits.timeouts.body == .seconds(60))
        #expect(limits.maxSchedulerSubscribers == 1_000 && limits.maxOperatorSubscribers == 100)
        let defaults = MasterLimits()
        #expect(!defaults.rate.isLimited && defaults.maxBodyBytes(for: .agent) == 1 << 20)
        try defaults.validate()
    }

    @Test func pathsMapToTheirFamilies() {
        #expect(MasterLimits.BodyFamily.of(path: "/api/v1/scheduler") == .scheduler)
        #expect(MasterLimits.BodyFamily.of(path: "/master/api/v1") == .operator)
        #expect(MasterLimits.BodyFamily.of(path: "/corral/v1/agent") == .agent)
        #expect(MasterLimits.BodyFamily.of(path: "/v1/kv/x") == .other)
    }

    @Test(arguments: [
        ("max_body_bytes = 10", "limits.max_body_bytes"), ("agent_max_body_bytes = 999999999", "limits.agent_max_body_bytes"),
        ("requests_per_second = -1", "limits.requests_per_second"), ("requests_per_second = 1e-9", "limits.requests_per_second"),
        ("burst = -3", "limits.burst"), ("max_connections = -1", "limits.max_connections"),
        ("body_timeout_seconds = 1e9", "limits.body_timeout_seconds"),
    ])
    func badValuesAreRefusedByName(_ line: String, _ key: String) throws {
        let limits = try MasterConfig.parse("[limits]\n\(line)\n").limits
        do {
            try limits.validate()
            Issue.record("\(line) passed")
        } catch {
            #expect(error.message.contains(key), "\(error.message)")
        }
    }

    @Test func aValueOfTheWrongTypeSaysWhatBelongsThere() {
        do {
            _ = try MasterConfig.parse("[limits]\nmax_connections = \"many\"\n")
            Issue.record("a string was taken as a number")
        } catch {
            #expect(error.message.contains("max_connections") && error.message.contains("whole number"), "\(error.message)")
        }
    }
}
