import CorralContainer
import CorralTestSupport
import Foundation
import Testing

/// `Process.runWithoutInheritedFiles`: the child gets its standard streams and nothing else
/// this process has open, such as a listening socket made the way SwiftNIO makes them
/// (without close-on-exec), even one opened while the spawn is under way.
@Suite(.offCooperativePool) struct InheritedFilesTests {
    /// The descriptors `ls` finds open in itself (started by `CombinedOutput`, with
    /// `runWithoutInheritedFiles`).
    static func descriptorsOfAChild() throws -> Set<Int32> {
        let listed = try CombinedOutput.run("/bin/ls", ["/proc/self/fd"], environment: [:], inherit: true)
        #expect(listed.status == 0, "\(listed.output)")
        return Set(listed.output.split(whereSeparator: \.isNewline).compactMap { Int32($0) })
    }

    /// The descriptors open in this process now.
    static func ownDescriptors() throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { Int32($0) }
    }

    @Test func aChildHoldsNeitherAListeningSocketNorAnOpenFile() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)  // no SOCK_CLOEXEC, as SwiftNIO opens them
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(listener, 8) == 0)
        let file = open("/dev/null", O_RDONLY)  // no O_CLOEXEC
        #expect(file >= 0)
        defer { close(file) }
        #expect(fcntl(listener, F_GETFD) & FD_CLOEXEC == 0)

        let kept = try Self.descriptorsOfAChild()
        #expect(kept.isSuperset(of: [0, 1, 2]))
        #expect(!kept.contains(listener), "the child had the listening socket (fd \(listener)) open: \(kept.sorted())")
        #expect(!kept.contains(file), "the child had the file (fd \(file)) open: \(kept.sorted())")
    }

    /// `Process` closes in the child each number up to the highest open when it looks; a
    /// descriptor another thread opens after the look takes the lowest free number, so it
    /// is covered as long as a higher one is open: the held placeholder, which stays the
    /// highest and never reaches a child itself.
    @Test func theHeldDescriptorIsTheHighestAndStaysInThisProcess() throws {
        let kept = try Self.descriptorsOfAChild()
        let held = InheritedFiles.heldDescriptor
        let own = try Self.ownDescriptors()
        #expect(own.contains { $0 >= held }, "no descriptor at or above \(held) is open: \(own.sorted())")
        #expect(own.filter { $0 < held }.count < Int(held) - 3, "the numbers below the placeholder are nearly all used")
        #expect(fcntl(own.max() ?? 0, F_GETFD) & FD_CLOEXEC != 0)
        #expect(!kept.contains { $0 >= held }, "the child had \(kept.sorted())")
    }
}
