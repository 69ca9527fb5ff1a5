import CorralContainer
import Foundation
import Testing

@testable import CorralAgent

/// How a container's recorded end becomes a Mesos task state and reason.
@Suite struct TaskExitMappingTests {
    static func end(_ code: Int32?, oom: Bool = false, killed: Bool = false) -> TaskEnd {
        TaskExitMapping.end(exitCode: code, oomKilled: oom, killed: killed, memoryLimitBytes: 32 << 20)
    }

    @Test func exitZeroFinishesAndOtherCodesFailWithTheStatus() {
        #expect(Self.end(0).state == .finished)
        #expect(Self.end(0).exitStatus == 0)
        let failed = Self.end(3)
        #expect(failed.state == .failed)
        #expect(failed.reason == .commandExecutorFailed)
        #expect(failed.message.contains("exited with status 3"))
        #expect(failed.exitStatus == 3 << 8)
    }

    @Test func aSignalIsNamedAndAnOOMKillIsAMemoryLimitation() {
        let signaled = Self.end(128 + 15)
        #expect(signaled.state == .failed)
        #expect(signaled.message.contains("SIGTERM"))
        #expect(signaled.exitStatus == 15)
        let oom = Self.end(137, oom: true)
        #expect(oom.state == .failed)
        #expect(oom.reason == .containerLimitationMemory)
        #expect(oom.message.contains("32 MB"))
    }

    @Test func whatTheAgentKilledIsKilledWhateverItExitedWith() {
        #expect(Self.end(0, killed: true).state == .killed)
        #expect(Self.end(137, oom: false, killed: true).state == .killed)
        #expect(Self.end(nil, killed: true).state == .killed)
    }

    @Test func anUnknownStatusOrAFailedLaunchIsAFailure() {
        #expect(Self.end(nil).state == .failed)
        let launch = TaskExitMapping.end(of: .failed(message: "mount: EPERM"), killed: false, memoryLimitBytes: nil)
        #expect(launch?.reason == .containerLaunchFailed)
        #expect(launch?.message.contains("EPERM") == true)
        #expect(TaskExitMapping.end(of: .created, killed: false, memoryLimitBytes: nil) == nil)
    }
}
