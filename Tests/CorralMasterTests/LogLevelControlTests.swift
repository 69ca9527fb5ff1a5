import CorralTestSupport
import Logging
import Testing

@testable import CorralMaster

/// The master's adjustable logging level (SET_LOGGING_LEVEL).
@Suite(.offCooperativePool) struct LogLevelControlTests {
    @Test func eachVerbosityStepIsOneLevelMoreVerboseDownToTrace() {
        #expect(LogLevelControl.level(.notice, raisedBy: 0) == .notice)
        #expect(LogLevelControl.level(.notice, raisedBy: 1) == .info)
        #expect(LogLevelControl.level(.notice, raisedBy: 2) == .debug)
        #expect(LogLevelControl.level(.notice, raisedBy: 9) == .trace)
        #expect(LogLevelControl.level(.trace, raisedBy: 3) == .trace)
    }

    @Test func aRaisedLevelReachesEveryWrappedLoggerAndEndsAfterItsDuration() async throws {
        let control = LogLevelControl(configured: .warning)
        var logger = control.wrap(Logger(label: "test"))
        logger.logLevel = .critical  // ignored: the control owns the level
        let copy = logger
        #expect(copy.logLevel == .warning)
        try control.set(verbosity: 2, for: .milliseconds(200))
        #expect(control.verbosity == 2 && logger.logLevel == .info && copy.logLevel == .info)
        try await eventually("the raised level to end", seconds: 5) { control.verbosity == 0 }
        #expect(copy.logLevel == .warning)
        #expect(throws: MasterError.self) { try control.set(verbosity: 1, for: .zero) }
    }
}
