import CorralChaos
import CorralHistory
import CorralMaster
import CorralTestSupport
import Testing

/// How the register test's client reads each answer: the contract under test is "503 means
/// not applied", so only a 503, a refusal before sending, or no leader may count as failed.
@Suite struct RegisterClientTests {
    private func answer(_ status: String, headers: String = "", body: String = "") -> String {
        "HTTP/1.1 \(status)\r\nContent-Length: \(body.utf8.count)\r\n\(headers)Connection: close\r\n\r\n\(body)"
    }

    private func outcome(of responses: [String?], _ kind: ClientOperation.Kind = .write) throws -> RegisterClient.Result {
        let server = try CannedHTTPServerDouble(responses: responses)
        defer { server.close() }
        let client = RegisterClient(client: MasterClient(timeoutSeconds: 1), endpoints: ["127.0.0.1:\(server.port)"])
        return client.perform(kind, key: "k", value: kind == .write ? "v" : nil, first: 0)
    }

    @Test func eachAnswerMeansWhatTheContractSays() throws {
        #expect(try outcome(of: [answer("204 No Content")]).outcome == .ok)
        #expect(try outcome(of: [answer("503 Service Unavailable", body: "{}")]).outcome == .fail)
        #expect(try outcome(of: [answer("504 Gateway Timeout", body: "{\"outcome\":\"unknown\"}")]).outcome == .info)
        #expect(try outcome(of: [answer("307 Temporary Redirect")]).outcome == .fail, "307 with no leader")
        let unexpected = try outcome(of: [answer("500 Internal Server Error")])
        #expect(unexpected.outcome == .info && unexpected.unexpected)
        #expect(try outcome(of: [nil]).outcome == .info, "a timeout after sending")
        let read = try outcome(of: [answer("200 OK", body: "v1")], .read)
        #expect(read.outcome == .ok && read.value == "v1")
        let absent = try outcome(of: [answer("404 Not Found")], .read)
        #expect(absent.outcome == .ok && absent.value == nil)
    }

    @Test func redirectsAreFollowedAndEachHopIsJudged() throws {
        let leader = try CannedHTTPServerDouble(responses: [answer("503 Service Unavailable")])
        defer { leader.close() }
        let redirect = answer("307 Temporary Redirect", headers: "Location: //127.0.0.1:\(leader.port)/v1/kv/k\r\n")
        let result = try outcome(of: [redirect])
        #expect(result.outcome == .fail)
        #expect(result.evidence.contains("307") && result.evidence.contains("503"), "\(result.evidence)")
    }

    @Test func aRefusedConnectionSentNothing() throws {
        let port = try LoopbackPort.free()  // nothing listens there any more
        let client = RegisterClient(client: MasterClient(timeoutSeconds: 1), endpoints: ["127.0.0.1:\(port)"])
        #expect(client.perform(.write, key: "k", value: "v", first: 0).outcome == .fail)
        do {
            _ = try MasterClient(timeoutSeconds: 1).once("GET", "127.0.0.1:\(port)", "/health")
            Issue.record("a request to a closed port succeeded")
        } catch {
            #expect(error.code == .unreachable)
        }
    }
}
