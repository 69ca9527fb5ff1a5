@testable import CorralContainer
import CorralTestSupport
import Foundation
import Testing

/// The agent's runtime directory: a tmpfs it mounts once and finds again after a restart.
@Suite(.enabled(if: geteuid() == 0, "mounting needs root"))
struct RuntimeDirectoryTests {
    @Test func aPlainDirectoryGetsATmpfsThatIsFoundAgainAndReleased() throws {
        let scratch = try ScratchDirectory(prefix: "corral-runtime")
        defer { scratch.remove() }
        let runtime = Self.real(scratch) + "/agent/runtime"
        #expect(try RuntimeDirectory.prepare(runtime) == .mounted)
        #expect(RuntimeDirectory.isTmpfs(runtime))
        #expect(MountTable.isMountPoint(runtime))
        #expect(MountTable.points(under: scratch.path) == [runtime])
        try Data("record".utf8).write(to: URL(fileURLWithPath: runtime + "/kept"))
        // A restarted agent finds its tmpfs and what is in it.
        #expect(try RuntimeDirectory.prepare(runtime) == .tmpfs)
        #expect(MountTable.points(under: scratch.path) == [runtime])
        #expect(FileManager.default.fileExists(atPath: runtime + "/kept"))
        #expect(RuntimeDirectory.release(runtime) == nil)
        #expect(!RuntimeDirectory.isTmpfs(runtime))
        #expect(MountTable.points(under: scratch.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: runtime + "/kept"))
        // A directory that is no mount point is left alone.
        #expect(RuntimeDirectory.release(runtime) == nil)
        #expect(FileManager.default.fileExists(atPath: runtime))
    }

    @Test func aTmpfsBelowTheRuntimeDirectoryIsNotReleasedInItsPlace() throws {
        let scratch = try ScratchDirectory(prefix: "corral-runtime")
        defer { scratch.remove() }
        let outer = scratch.path + "/outer"
        #expect(try RuntimeDirectory.prepare(outer) == .mounted)
        let inner = outer + "/runtime"
        // On a tmpfs already (as /run on most machines): used as it is, nothing mounted.
        #expect(try RuntimeDirectory.prepare(inner) == .tmpfs)
        #expect(!MountTable.isMountPoint(inner))
        #expect(RuntimeDirectory.release(inner) == nil)
        #expect(RuntimeDirectory.isTmpfs(outer))
        #expect(RuntimeDirectory.release(outer) == nil)
    }

    @Test func scratchDirectoriesDetachWhatIsMountedUnderThem() throws {
        let scratch = try ScratchDirectory(prefix: "corral-runtime")
        let first = Self.real(scratch) + "/a/runtime"
        let second = Self.real(scratch) + "/b/deeper/runtime"
        #expect(try RuntimeDirectory.prepare(first) == .mounted)
        #expect(try RuntimeDirectory.prepare(second) == .mounted)
        #expect(MountTable.points(under: scratch.path) == [second, first])
        scratch.remove()
        #expect(MountTable.points(under: scratch.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: scratch.path))
    }

    /// The scratch path as the mount table spells it (no `//`, no symlinks).
    static func real(_ scratch: ScratchDirectory) -> String {
        URL(fileURLWithPath: scratch.path).resolvingSymlinksInPath().path
    }

    @Test func mountinfoEscapesAreRead() {
        #expect(MountTable.unescape("/tmp/with\\040space\\011tab") == "/tmp/with space\ttab")
        #expect(MountTable.unescape("/plain") == "/plain")
        #expect(MountTable.unescape("/odd\\04") == "/odd\\04")
    }
}
