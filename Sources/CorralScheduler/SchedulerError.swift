/// The one error type of CorralScheduler: what failed, why, and whether trying again may help.
public struct SchedulerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: String, Sendable, Equatable {
        /// A call was made while no event stream is subscribed.
        case notSubscribed
        /// The client was stopped, or its run loop has ended.
        case stopped
        /// A TCP connection could not be opened (refused, unreachable, connect timeout).
        case connectionFailed
        /// The connection closed before the answer was complete.
        case connectionClosed
        /// No bytes arrived within the read timeout.
        case timedOut
        /// The master is not the leader; it named another master (`307`).
        case redirected
        /// No leader is elected yet, or the call was not applied (`503`): try again.
        case unavailable
        /// The call reached the leader's log, but the leader lost office before it learned
        /// whether it was committed (`504`): it may or may not take effect. Reconcile (or
        /// read the state) before sending it again.
        case outcomeUnknown
        /// The master refused the call (`4xx`); the message carries its answer.
        case rejected
        /// The master answered something the client cannot use (bad status, headers or body).
        case protocolViolation
        /// A response body was larger than the limit.
        case bodyTooLarge
        /// An argument cannot be sent (e.g. a status update without a UUID to acknowledge).
        case invalidArgument
        /// A call or event could not be encoded or decoded.
        case encoding
    }

    /// What kind of failure.
    public let code: Code
    /// What failed and why, e.g. `ACCEPT to 10.0.0.1:5050 answered 400: Offer is no longer valid`.
    public let message: String
    /// The underlying cause, when there is one.
    public let cause: String?
    /// The HTTP status, when the failure is an answer from the master.
    public let status: Int?

    /// Makes an error from a code, a message, and optional cause and HTTP status.
    public init(_ code: Code, _ message: String, cause: String? = nil, status: Int? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
        self.status = status
    }

    /// Whether the same call may succeed once the client has re-subscribed (redirects,
    /// unavailability, lost connections and timeouts).
    public var isRetryable: Bool {
        switch code {
        case .redirected, .unavailable, .connectionFailed, .connectionClosed, .timedOut, .notSubscribed:
            return true
        case .stopped, .rejected, .protocolViolation, .bodyTooLarge, .invalidArgument, .encoding, .outcomeUnknown:
            return false
        }
    }

    /// `<code>: <message>[: <cause>]`.
    public var description: String {
        if let cause { return "\(code.rawValue): \(message): \(cause)" }
        return "\(code.rawValue): \(message)"
    }

    /// `error` itself when it is a `SchedulerError`, else a `SchedulerError` with `code` and
    /// `message` whose cause is `error`.
    static func wrapping(_ error: any Error, _ code: Code, _ message: String) -> SchedulerError {
        if let error = error as? SchedulerError { return error }
        return SchedulerError(code, message, cause: "\(error)")
    }
}
