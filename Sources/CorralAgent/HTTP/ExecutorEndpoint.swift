import CorralModel

/// What serves `/api/v1/executor` behind `AgentHTTP`: the agent itself (`AgentProcess`), or a
/// test's own.
public protocol ExecutorEndpoint: Sendable {
    /// SUBSCRIBE: the executor's event stream (RecordIO-framed JSON records, SUBSCRIBED first),
    /// or why it is refused.
    func subscribe(_ call: ExecutorCall) async -> Result<ExecutorEventStream, ExecutorCallRefusal>
    /// UPDATE or MESSAGE: nil when taken (`202 Accepted`), else why not.
    func accept(_ call: ExecutorCall) async -> ExecutorCallRefusal?
}

/// Why the agent refuses an executor's call: an HTTP status and a message that says what to do.
public struct ExecutorCallRefusal: Error, Sendable, Hashable {
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }
}

/// An executor's subscription as the HTTP server streams it: RecordIO records, each one event.
/// It ends when the agent closes the subscription; `onClose` runs when the executor goes away.
public final class ExecutorEventStream: Sendable, Equatable {
    public let records: AsyncStream<[UInt8]>

    public init(records: AsyncStream<[UInt8]>) { self.records = records }

    public static func == (lhs: ExecutorEventStream, rhs: ExecutorEventStream) -> Bool { lhs === rhs }
}
