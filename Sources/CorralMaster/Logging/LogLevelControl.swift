import Foundation
import Logging
import Synchronization

/// The master's logging level as Mesos's operators change it (`SET_LOGGING_LEVEL`,
/// `/logging/toggle`): a verbosity `level` (glog's `v`, 0 = as configured) held for a
/// duration, after which the configured level is back.
///
/// Each step of verbosity lowers the swift-log level by one (e.g. configured `notice`:
/// 1 → `info`, 2 → `debug`, 3 → `trace`). Every logger made by `wrap(_:)` reads the level
/// here at each message, so a change takes effect at once in the whole master.
public final class LogLevelControl: Sendable {
    /// The level the master was started with.
    public let configured: Logger.Level
    private struct Raised { var verbosity: UInt32; var until: ContinuousClock.Instant }
    private let raised = Mutex<Raised?>(nil)
    /// Whether a raised level may be in force: every log call reads the level, and while
    /// nothing is raised it costs one atomic load (no lock, no clock).
    private let mayBeRaised = Atomic<Bool>(false)

    /// The longest a raised level may be held (Mesos takes any duration; a bound keeps a
    /// forgotten toggle from flooding the log for ever).
    public static let maximumDuration: Duration = .seconds(7 * 24 * 3600)

    public init(configured: Logger.Level) {
        self.configured = configured
    }

    /// The verbosity in force now (0 once a raised level's duration has passed).
    public var verbosity: UInt32 {
        guard mayBeRaised.load(ordering: .acquiring) else { return 0 }
        return raised.withLock { raised in
            guard let current = raised else { return 0 }
            if ContinuousClock.now >= current.until {
                raised = nil
                mayBeRaised.store(false, ordering: .releasing)
                return 0
            }
            return current.verbosity
        }
    }

    /// The swift-log level in force now.
    public var level: Logger.Level { Self.level(configured, raisedBy: verbosity) }

    /// Holds `verbosity` for `duration` (0 returns to the configured level at once).
    public func set(verbosity: UInt32, for duration: Duration) throws(MasterError) {
        guard duration > .zero else {
            throw MasterError(code: .request, message: "the duration must be positive, e.g. {\"nanoseconds\": 60000000000}")
        }
        guard duration <= Self.maximumDuration else {
            throw MasterError(code: .request, message: "the duration may be at most 7 days")
        }
        raised.withLock { raised in
            raised = verbosity == 0 ? nil : Raised(verbosity: verbosity, until: .now + duration)
            mayBeRaised.store(raised != nil, ordering: .releasing)
        }
    }

    /// `configured` made `verbosity` steps more verbose, down to `trace`.
    static func level(_ configured: Logger.Level, raisedBy verbosity: UInt32) -> Logger.Level {
        let all = Logger.Level.allCases
        guard let index = all.firstIndex(of: configured) else { return configured }
        return all[max(all.startIndex, index - Int(min(verbosity, UInt32(all.count))))]
    }

    /// A logger that writes through `logger`'s handler at the level this control sets.
    public func wrap(_ logger: Logger) -> Logger {
        var wrapped = logger
        wrapped.handler = ControlledLogHandler(inner: logger.handler, control: self)
        return wrapped
    }
}

/// A log handler whose level is the `LogLevelControl`'s; metadata and output are the inner one's.
struct ControlledLogHandler: LogHandler {
    var inner: any LogHandler
    let control: LogLevelControl

    var logLevel: Logger.Level {
        get { control.level }
        // The level belongs to the control (the operator API changes it for every copy).
        set {}
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        // The inner handler filters by its own level too: give it the one in force.
        var inner = inner
        inner.logLevel = control.level
        inner.log(event: event)
    }
}
