import CorralTestSupport
import Foundation
import Testing

extension RealMasters {
    /// The master's request limits, over loopback against a real `corral master`: bodies
    /// (413), rates (429), event streams (503), connections (503) and slow clients (closed).
    @Suite(.serialized)
    struct MasterLimitsTests {
        /// A one-master quorum with `[limits]` set to `limits`, serving once it leads.
        static func master(_ limits: String) throws -> (QuorumHarness, endpoint: String, port: Int) {
            let harness = try QuorumHarness(masters: 1, config: "[limits]\n" + limits)
            do {
                try harness.start(1)
                try harness.leader()
                let endpoint = harness.endpoint(1)
                try harness.waitUntil("the master serves the operator API", seconds: 20) {
                    (try? OperatorClient.call(endpoint, ["type": "GET_HEALTH"]))?.status == 200
                }
                return (harness, endpoint, harness.ports[1]?.http ?? 0)
            } catch {
                harness.stopAll()
                throw error
            }
        }

        @Test func anOversizedBodyIs413WithTheLimitAndNothingIsApplied() throws {
            let (harness, endpoint, port) = try Self.master("max_body_bytes = 2048\noperator_max_body_bytes = 4096\n")
            defer { harness.stopAll() }
            let reply = try OperatorClient.request(endpoint, "PUT", "/v1/kv/big", body: Array(repeating: 65, count: 3_000), contentType: nil)
            #expect(reply.status == 413)
            #expect(reply.text.contains("2048") && reply.text.contains("limits.max_body_bytes"), "\(reply.text)")
            #expect(try harness.get("big", via: 1) == nil, "the refused PUT was not applied")
            // A chunked body (no Content-Length) is cut off at the limit too.
            let socket = try LoopbackSocket(port: port)
            let chunk = String(repeating: "B", count: 1_500)
            socket.write("PUT /v1/kv/chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            socket.write("5dc\r\n\(chunk)\r\n5dc\r\n\(chunk)\r\n0\r\n\r\n")
            let answer = socket.readUntilClosed(seconds: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text.prefix(300))")
            #expect(try harness.get("chunked", via: 1) == nil)
            // The operator API has its own, larger limit: 3000 bytes pass the family limit
            // (and are refused as JSON only), 5000 do not.
            let padding = String(repeating: " ", count: 3_000)
            let fits = try OperatorClient.request(endpoint, "POST", "/api/v1", body: Array("{\"type\":\"GET_HEALTH\"}\(padding)".utf8))
            #expect(fits.status == 200, "\(fits.text)")
            let tooLarge = try OperatorClient.request(
                endpoint, "POST", "/api/v1", body: Array("{\"type\":\"GET_HEALTH\"}\(padding)\(padding)".utf8))
            #expect(tooLarge.status == 413)
            #expect(tooLarge.text.contains("4096") && tooLarge.text.contains("operator"), "\(tooLarge.text)")
            // A body within the limit is applied as before.
            try harness.put("small", "fits", via: 1)
            #expect(try harness.get("small", via: 1) == "fits")
        }

        @Test func aBurstIs429WithRetryAfterThenTheClientRecovers() throws {
            // A token every 2 s: however slowly a loaded machine answers, a burst runs dry.
            let (harness, endpoint, _) = try Self.master("requests_per_second = 0.5\nburst = 4\n")
            defer { harness.stopAll() }
            Thread.sleep(forTimeInterval: 2.5)  // a token of those the start-up polls took comes back
            var statuses: [Int] = []
            var retryAfter: String?
            while retryAfter == nil, statuses.count < 20 {
                let reply = try OperatorClient.request(endpoint, "GET", "/version", contentType: nil)
                statuses.append(reply.status)
                if reply.status == 429 {
                    retryAfter = reply.headers["retry-after"]
                    #expect(reply.text.contains("limits.requests_per_second"), "\(reply.text)")
                }
            }
            #expect(statuses.first == 200 && statuses.last == 429, "\(statuses)")
            let wait = try #require(retryAfter.flatMap(Int.init), "429 carries Retry-After")
            #expect((1...2).contains(wait))
            Thread.sleep(forTimeInterval: Double(wait))
            #expect(try OperatorClient.request(endpoint, "GET", "/version", contentType: nil).status == 200)
        }

        @Test func subscribersOverTheCapAre503UntilOneLeaves() throws {
            let (harness, endpoint, _) = try Self.master("max_operator_subscribers = 1\nmax_scheduler_subscribers = 1\n")
            defer { harness.stopAll() }
            let subscribe = Array("{\"type\":\"SUBSCRIBE\"}".utf8)
            var first: OperatorClient? = try OperatorClient(endpoint)
            first?.send("POST", "/api/v1", body: subscribe, headers: ["Content-Type": "application/json"])
            #expect(try first?.readHead().status == 200)
            let second = try OperatorClient.request(endpoint, "POST", "/api/v1", body: subscribe)
            #expect(second.status == 503)
            #expect(second.headers["retry-after"] != nil)
            #expect(second.text.contains("max_operator_subscribers"), "\(second.text)")
            first = nil  // closes the stream: its slot comes back
            try harness.waitUntil("an operator may subscribe again", seconds: 10) {
                let again = try OperatorClient(endpoint)
                again.send("POST", "/api/v1", body: subscribe, headers: ["Content-Type": "application/json"])
                return try again.readHead().status == 200
            }
            func framework(_ name: String) -> [UInt8] {
                Array("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"test\",\"name\":\"\(name)\"}}}".utf8)
            }
            let scheduler = try OperatorClient(endpoint)
            scheduler.send("POST", "/api/v1/scheduler", body: framework("one"), headers: ["Content-Type": "application/json"])
            #expect(try scheduler.readHead().status == 200)
            let refused = try OperatorClient.request(endpoint, "POST", "/api/v1/scheduler", body: framework("two"))
            #expect(refused.status == 503)
            #expect(refused.text.contains("max_scheduler_subscribers"), "\(refused.text)")
        }

        @Test func connectionsOverTheCapAreRefusedWith503() throws {
            let (harness, endpoint, port) = try Self.master("max_connections = 3\n")
            defer { harness.stopAll() }
            var held = try (0..<3).map { _ in try LoopbackSocket(port: port) }
            Thread.sleep(forTimeInterval: 0.3)
            let extra = try LoopbackSocket(port: port)
            let refusal = extra.readUntilClosed(seconds: 5)
            #expect(refusal.closed)
            #expect(refusal.text.hasPrefix("HTTP/1.1 503"), "\(refusal.text)")
            #expect(refusal.text.contains("max_connections") && refusal.text.contains("Retry-After"))
            let allOpen = held.allSatisfy { $0.isOpen }
            #expect(allOpen, "the connections within the cap stay open")
            held.removeLast()
            try harness.waitUntil("a connection is free again", seconds: 10) {
                (try? OperatorClient.request(endpoint, "GET", "/version", contentType: nil))?.status == 200
            }
        }

        @Test func slowClientsAreCutOffWhileOthersAreServed() throws {
            let (harness, endpoint, port) = try Self.master("header_timeout_seconds = 1\nbody_timeout_seconds = 2\n")
            defer { harness.stopAll() }
            // A slow-loris head, a byte every 200 ms, never finished.
            let loris = try LoopbackSocket(port: port)
            let started = ContinuousClock.now
            var open = true
            for byte in "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".map(String.init) where open {
                open = loris.write(byte) && loris.isOpen
                if open { Thread.sleep(forTimeInterval: 0.2) }
                #expect(ContinuousClock.now - started < .seconds(4), "the slow head was not cut off")
                if ContinuousClock.now - started > .seconds(4) { break }
            }
            #expect(loris.readUntilClosed(seconds: 3).closed)
            #expect(ContinuousClock.now - started < .seconds(4))
            // Others were served meanwhile.
            #expect(try OperatorClient.request(endpoint, "GET", "/version", contentType: nil).status == 200)
            // A body that trickles in is cut off at the body timeout, however steady.
            let drip = try LoopbackSocket(port: port)
            drip.write("PUT /v1/kv/drip HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
            let dripStart = ContinuousClock.now
            while drip.write("x"), drip.isOpen, ContinuousClock.now - dripStart < .seconds(6) {
                Thread.sleep(forTimeInterval: 0.25)
            }
            #expect(ContinuousClock.now - dripStart < .seconds(5), "the dripped body was not cut off")
            #expect(try harness.get("drip", via: 1) == nil)
            #expect(try OperatorClient.request(endpoint, "GET", "/version", contentType: nil).status == 200)
        }
    }
}
