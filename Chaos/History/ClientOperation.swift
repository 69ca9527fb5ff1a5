/// One client operation on a key-value register, from the moment a client invoked it to the
/// moment it learned (or gave up learning) its outcome.
///
/// Times are nanoseconds on one monotonic clock shared by every process of a history; only
/// their order matters.
public struct ClientOperation: Sendable, Hashable, CustomStringConvertible {
    /// What the operation does to its key.
    public enum Kind: String, Sendable, Hashable {
        case read, write
    }

    /// What the client learned.
    public enum Outcome: String, Sendable, Hashable {
        /// Applied: a write took effect, a read returned `value`.
        case ok
        /// Definitely not applied (for example HTTP 503, or no connection was ever made).
        case fail
        /// Indeterminate: a timeout, a 504 "outcome unknown", a connection lost after the
        /// request was sent. A write may take effect at any time after its invocation, or never.
        case info
    }

    /// The operation's position in its history (set by the history, unique within it).
    public var id: Int
    /// The client process; one process runs one operation at a time.
    public var process: Int
    /// Read or write.
    public var kind: Kind
    /// The register the operation touched; every key is checked on its own.
    public var key: String
    /// A write's value, or the value a read returned (`nil`: the key was absent).
    public var value: String?
    /// What the client learned.
    public var outcome: Outcome
    /// When the client sent the request (before any byte left it).
    public var invokeNanos: UInt64
    /// `nil` when the operation never completed (treated as completing at the end of time).
    public var completeNanos: UInt64?

    /// An operation; `id` is assigned again when it goes into a `History`.
    public init(
        id: Int = 0, process: Int, kind: Kind, key: String, value: String?, outcome: Outcome,
        invokeNanos: UInt64, completeNanos: UInt64?
    ) {
        self.id = id
        self.process = process
        self.kind = kind
        self.key = key
        self.value = value
        self.outcome = outcome
        self.invokeNanos = invokeNanos
        self.completeNanos = completeNanos
    }

    /// `#12 p3 write k="v7" ok [1.000200 s, 1.004000 s]`: one line for an explanation.
    public var description: String {
        let shown = value.map { "\"\($0)\"" } ?? "absent"
        let verb = kind == .write ? "write \(key)=\(shown)" : "read \(key) -> \(outcome == .ok ? shown : "?")"
        let end = completeNanos.map(Self.secondsText) ?? "never"
        return "#\(id) p\(process) \(verb) \(outcome.rawValue) [\(Self.secondsText(invokeNanos)), \(end)]"
    }

    /// `12.000345 s`: nanoseconds as seconds with microseconds.
    public static func secondsText(_ nanos: UInt64) -> String {
        let micros = nanos / 1_000
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction) s"
    }
}
