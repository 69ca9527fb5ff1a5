import CorralScheduler

/// Why a call to the masters did not go through: what kind of failure, which master, the HTTP
/// status when there was an answer, and the master's own message.
public struct MasterLinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, Equatable {
        /// No TCP connection could be opened (refused, unreachable, connect timeout).
        case connectionFailed
        /// The connection closed before the answer (or the event stream) was complete.
        case connectionClosed
        /// No bytes arrived within the request timeout or the stream's silence timeout.
        case timedOut
        /// `503`: no leader is known yet, or the call was not applied; send it again. Also a
        /// chain of redirects that never reached a leader.
        case unavailable
        /// `504`: the call reached the leader's log but the leader lost office before it
        /// learned the outcome. An UPDATE may be sent again (the master deduplicates by UUID).
        case outcomeUnknown
        /// `307` to a call other than SUBSCRIBE: the stream's master no longer leads; the
        /// stream is about to end, so subscribe again.
        case notLeader
        /// Another `5xx` answer.
        case serverError
        /// `4xx`: the master refused the call (e.g. `403` agent gone, `400` a bad call). Sending
        /// the same call again will be refused again.
        case refused
        /// The master answered something the agent cannot use (a bad header, event or body).
        case protocolViolation
        /// The call cannot be sent (it does not encode, or it is not of the right type).
        case invalidCall
        /// `post` before any subscription: there is no master to send it to.
        case notSubscribed
        /// The task waiting for the answer was cancelled.
        case cancelled
    }

    /// What kind of failure.
    public let code: Code
    /// What failed and why, e.g. `SUBSCRIBE to 10.0.0.1:5050 answered 403: agent … is gone`.
    public let message: String
    /// The HTTP status, when the master answered.
    public let status: Int?
    /// The master the failure came from, when there was one.
    public let master: MasterAddress?

    /// Makes an error.
    public init(_ code: Code, _ message: String, status: Int? = nil, master: MasterAddress? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.master = master
    }

    /// Whether the master refused the call itself (`4xx`): the caller should not send the same
    /// call again in a loop.
    public var isRefusal: Bool { code == .refused }

    /// `<code>: <message>`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// The error for a status the master answered with (anything but 2xx and 307).
    static func answer(_ status: Int, _ text: String, call: String, master: MasterAddress) -> MasterLinkError {
        let message = "\(call) to \(master) answered \(status): \(text)"
        switch status {
        case 503: return MasterLinkError(.unavailable, message, status: status, master: master)
        case 504: return MasterLinkError(.outcomeUnknown, message, status: status, master: master)
        case 400..<500: return MasterLinkError(.refused, message, status: status, master: master)
        case 500..<600: return MasterLinkError(.serverError, message, status: status, master: master)
        default: return MasterLinkError(.protocolViolation, message, status: status, master: master)
        }
    }

    /// A transport failure of `HTTPStreamClient` as the link reports it.
    static func transport(_ error: any Error, call: String, master: MasterAddress) -> MasterLinkError {
        if let error = error as? MasterLinkError { return error }
        guard let error = error as? SchedulerError else {
            if error is CancellationError { return MasterLinkError(.cancelled, "\(call) to \(master) was cancelled", master: master) }
            return MasterLinkError(.connectionClosed, "\(call) to \(master) failed: \(error)", master: master)
        }
        let message = "\(call) to \(master) failed: \(error.message)" + (error.cause.map { ": \($0)" } ?? "")
        switch error.code {
        case .connectionFailed: return MasterLinkError(.connectionFailed, message, master: master)
        case .timedOut: return MasterLinkError(.timedOut, message, master: master)
        case .protocolViolation, .bodyTooLarge: return MasterLinkError(.protocolViolation, message, master: master)
        default: return MasterLinkError(.connectionClosed, message, master: master)
        }
    }
}

/// How the master answered a call other than SUBSCRIBE.
public enum CallAnswer: Sendable, Equatable {
    /// `202` (or `200`): done; for an UPDATE, committed.
    case accepted
    /// `4xx`: the master refused the call, with its status and message. Sending it again will
    /// be refused again (e.g. `403`: not subscribed with that stream; subscribe again).
    case refused(status: Int, message: String)
    /// No answer that settles it: the connection failed, `503` not applied, `504` outcome
    /// unknown, `307` the master no longer leads. The agent sends it again later.
    case failed(MasterLinkError)
}
