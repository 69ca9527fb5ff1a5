import CorralModel
import CorralSecurity
import CorralScheduler
import CorralSecurity
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The agent's HTTP connection to the leading master (`POST /corral/v1/agent`).
///
/// `subscribe` finds the leader: it follows `307`s straight to the named master and, on a
/// refused connection, `503`, `504` or a broken answer, moves to the next master after a
/// jittered, doubling wait (`MasterRotation`), for at most `attemptsPerSubscribe` failures per
/// call, so the caller keeps control. A `4xx` is thrown at once: the master refused the agent.
/// `post` sends every other call to the master of the latest subscription. The link keeps no
/// agent state: the caller says what to send and decides what to do with each answer.
public actor MasterLink {
    /// How long to wait, and how long to back off.
    public struct Timeouts: Sendable, Hashable {
        /// How long opening a connection may take.
        public var connect: Duration
        /// How long a call may wait for its answer (UPDATE is answered once committed).
        public var request: Duration
        /// A subscription stream silent this long is closed with `.timedOut`; nil for never.
        public var streamSilence: Duration?
        /// The first wait after a failed SUBSCRIBE attempt; it doubles per failure, jittered.
        public var initialBackoff: Duration
        /// The longest wait between SUBSCRIBE attempts.
        public var maximumBackoff: Duration

        /// Makes timeouts; the defaults match `AgentConfig.Timing`'s.
        public init(
            connect: Duration = .seconds(2),
            request: Duration = .seconds(15),
            streamSilence: Duration? = .seconds(45),
            initialBackoff: Duration = .milliseconds(50),
            maximumBackoff: Duration = .seconds(1)
        ) {
            self.connect = connect
            self.request = request
            self.streamSilence = streamSilence
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
        }
    }

    /// The agent endpoint on every master.
    public static let path = "/corral/v1/agent"

    /// The masters, in the order they are tried.
    public let masters: [MasterAddress]
    /// Failed attempts (not counting redirects) one `subscribe` makes before it throws.
    public let attemptsPerSubscribe: Int
    private let timeouts: Timeouts
    private let client: HTTPStreamClient
    var rotation: MasterRotation
    /// The wait owed before the next attempt, after a failure; kept across calls, so a caller
    /// that calls `subscribe` again at once after it threw cannot spin.
    private var owedDelay: Duration?
    /// The master of the latest subscription: where `post` sends calls.
    var streamMaster: MasterAddress?
    /// Which of the other masters the leader watch asks next.
    var watchTurn = 0
    /// The leader watch's client. It never asks the stream's master, so a paused leader
    /// costs it nothing; 1.5 s leaves room for a master on a loaded machine (an answer later
    /// than that is no report at all, and the agent waits for another turn).
    let watchClient: HTTPStreamClient
    /// The `Authorization` header every request carries (`corral agent --principal`,
    /// `--secret-file`, `--token-file`); nil: none.
    let authorization: String?

    /// Makes a link; `seed` drives the backoff's jitter. `attemptsPerSubscribe` defaults to
    /// two rounds through the masters. With `tls` the masters are reached over HTTPS, their
    /// certificates checked against its CA.
    public init(
        masters: [MasterAddress],
        timeouts: Timeouts = Timeouts(),
        attemptsPerSubscribe: Int? = nil,
        seed: UInt64,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        tls: TLSIdentity? = nil,
        credentials: ClientCredentials? = nil
    ) {
        authorization = credentials?.authorization
        precondition(!masters.isEmpty, "MasterLink needs at least one master")
        self.masters = masters
        self.timeouts = timeouts
        watchClient = HTTPStreamClient(group: group, connectTimeout: .milliseconds(500), readTimeout: .milliseconds(1500), tls: tls)
        self.attemptsPerSubscribe = max(1, attemptsPerSubscribe ?? masters.count * 2)
        client = HTTPStreamClient(group: group, connectTimeout: timeouts.connect, readTimeout: timeouts.request, tls: tls)
        rotation = MasterRotation(
            masters: masters, initialDelay: timeouts.initialBackoff, maximumDelay: timeouts.maximumBackoff, seed: seed)
    }

    /// The master the next SUBSCRIBE goes to.
    public var nextMaster: MasterAddress { rotation.current }

    // MARK: - SUBSCRIBE

    /// Subscribes `call` (a SUBSCRIBE) to the leading master and returns its open stream.
    ///
    /// - Throws: `MasterLinkError`: `.refused` with the status and the master's message for
    ///   a `4xx` (do not send the same call again in a loop); after `attemptsPerSubscribe`
    ///   failures the last one (`.connectionFailed`, `.unavailable`, …); `.cancelled`.
    public func subscribe(_ call: AgentCall) async throws(MasterLinkError) -> MasterSubscription {
        guard call.type == .subscribe, call.subscribe != nil else {
            throw MasterLinkError(.invalidCall, "subscribe needs a SUBSCRIBE call with its \"subscribe\" payload, not \(call.type.rawValue)")
        }
        let request = try Self.request(call, streamID: nil, accept: "application/recordio", authorization: authorization)
        var failures = 0
        while true {
            if let delay = owedDelay {
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw MasterLinkError(.cancelled, "SUBSCRIBE was cancelled while waiting to retry")
                }
                owedDelay = nil
            }
            let master = rotation.current
            let failure: MasterLinkError
            switch await MasterSubscription.open(request, to: master, client: client, silence: timeouts.streamSilence) {
            case .open(let subscription):
                rotation.subscribed()
                streamMaster = subscription.master
                return subscription
            case .redirected(let target):
                if rotation.redirected(to: target) { continue }
                failure = MasterLinkError(
                    .unavailable, "SUBSCRIBE was redirected \(rotation.maximumRedirects) times in a row without reaching a leader "
                        + "(last by \(master) to \(target.map(\.description) ?? "an unusable Location"))",
                    status: 307, master: master)
            case .failed(let error):
                if error.isRefusal || error.code == .cancelled { throw error }
                failure = error
            }
            failures += 1
            owedDelay = rotation.failed()
            if failures >= attemptsPerSubscribe {
                throw MasterLinkError(
                    failure.code, "no master accepted SUBSCRIBE in \(failures) attempts; last: \(failure.message)",
                    status: failure.status, master: failure.master)
            }
        }
    }

    // MARK: - Other calls

    /// POSTs `call` (UPDATE, HEARTBEAT, MESSAGE, UPDATE_RESOURCES) with `streamID` to the
    /// master of the latest subscription and says how it answered.
    public func post(_ call: AgentCall, streamID: String) async -> CallAnswer {
        guard let master = streamMaster else {
            return .failed(MasterLinkError(.notSubscribed, "\(call.type.rawValue) has no master to go to: subscribe first"))
        }
        let request: HTTPStreamRequest
        do {
            request = try Self.request(call, streamID: streamID, accept: "application/json", authorization: authorization)
        } catch {
            return .failed(error)
        }
        let name = call.type.rawValue
        let response: HTTPBufferedResponse
        do {
            response = try await client.execute(request, host: master.host, port: master.port, bodyLimitBytes: 64 << 10)
        } catch {
            return .failed(.transport(error, call: name, master: master))
        }
        let status = Int(response.status.code)
        switch status {
        case 200, 202:
            return .accepted
        case 307:
            let target = response.headers.first(name: "Location") ?? "nowhere"
            return .failed(MasterLinkError(
                .notLeader, "\(master) no longer leads (it sent \(name) to \(target)); subscribe again",
                status: status, master: master))
        case 400..<500:
            return .refused(status: status, message: Self.message(from: response.body))
        default:
            return .failed(.answer(status, Self.message(from: response.body), call: name, master: master))
        }
    }

    // MARK: - Helpers

    private static func request(_ call: AgentCall, streamID: String?, accept: String, authorization: String?) throws(MasterLinkError)
        -> HTTPStreamRequest
    {
        let body: [UInt8]
        do {
            body = try MesosJSON.encode(call)
        } catch {
            throw MasterLinkError(.invalidCall, "cannot encode \(call.type.rawValue): \(error)")
        }
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept": accept]
        if let streamID { headers.add(name: "Corral-Agent-Stream-Id", value: streamID) }
        if let authorization { headers.add(name: "Authorization", value: authorization) }
        return HTTPStreamRequest(method: .POST, path: path, headers: headers, body: body)
    }

    /// The master's `{"message": …}`, or the body as text.
    static func message(from body: [UInt8]) -> String {
        struct Problem: Decodable { var message: String }
        if let problem = try? JSONDecoder().decode(Problem.self, from: Data(body)) { return problem.message }
        let text = String(decoding: body.prefix(1024), as: UTF8.self)
        return text.isEmpty ? "(no message)" : text
    }

    /// Up to 4 KiB of a streamed body, as `message(from:)` reads it.
    static func message(from body: HTTPBodyStream) async -> String {
        var bytes: [UInt8] = []
        do {
            for try await chunk in body {
                bytes.append(contentsOf: chunk.readableBytesView.prefix(4096 - bytes.count))
                if bytes.count >= 4096 { break }
            }
        } catch {
            // The text is only for a message; what arrived is still useful.
        }
        return message(from: bytes)
    }
}
