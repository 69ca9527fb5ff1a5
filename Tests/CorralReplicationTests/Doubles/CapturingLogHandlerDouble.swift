import Logging
import Synchronization

/// A log handler that keeps the messages logged through it, for tests that count log lines.
struct CapturingLogHandlerDouble: LogHandler {
    /// The messages of every line logged through loggers made by `logger(label:)`, in order.
    final class Lines: Sendable {
        private let lines = Mutex<[(level: Logger.Level, message: String)]>([])

        func append(_ level: Logger.Level, _ message: String) { lines.withLock { $0.append((level, message)) } }

        /// How many lines at `level` or above contain `text`.
        func count(containing text: String, atLeast level: Logger.Level = .warning) -> Int {
            lines.withLock { $0.filter { $0.level >= level && $0.message.contains(text) }.count }
        }
    }

    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append(event.level, "\(event.message)")
    }

    /// A logger whose lines go to `lines`.
    static func logger(_ lines: Lines, label: String = "corral.test.tls") -> Logger {
        Logger(label: label) { _ in CapturingLogHandlerDouble(lines: lines) }
    }
}
