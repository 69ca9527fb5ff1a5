import Testing

@testable import CorralContainer

/// `host[:port]/repo/path[:tag|@sha256:…]` references.
@Suite struct ImageReferenceTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    @Test func referencesWithTagsDigestsAndPorts() throws {
        let plain = try ImageReference(parsing: "registry.local/library/busybox")
        #expect(plain.registry == "registry.local" && plain.repository == "library/busybox" && plain.tag == "latest")
        let ported = try ImageReference(parsing: "127.0.0.1:5000/tools/busybox:1.36")
        #expect(ported.registry == "127.0.0.1:5000" && ported.repository == "tools/busybox" && ported.tag == "1.36")
        #expect(ported.manifestReference == "1.36")
        let pinned = try ImageReference(parsing: "localhost/a/b/c@" + Self.digest)
        #expect(pinned.registry == "localhost" && pinned.repository == "a/b/c" && pinned.tag == nil)
        #expect(pinned.manifestReference == Self.digest)
        let both = try ImageReference(parsing: "reg.example:443/x:v1@" + Self.digest)
        #expect(both.tag == "v1" && both.digest?.description == Self.digest && both.description == "reg.example:443/x:v1@" + Self.digest)
    }

    @Test(arguments: ["busybox", "busybox:1.36", "library/busybox", "tools/busybox:1"])
    func aReferenceWithoutARegistryIsRefused(text: String) {
        let error = #expect(throws: ContainerError.self) { try ImageReference(parsing: text) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("names no registry") == true)
        #expect(error?.message.contains("127.0.0.1:5000/") == true, "says how to name one: \(String(describing: error))")
    }

    @Test(arguments: ["reg.local/Upper/case", "reg.local/a//b", "reg.local/a:bad tag", "reg.local/a@sha256:12", "reg.local/"])
    func malformedReferencesAreRefused(text: String) {
        #expect(throws: ContainerError.self) { try ImageReference(parsing: text) }
    }
}
