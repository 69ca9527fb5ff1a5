import CorralTestSupport
import Foundation
import Testing

@testable import CorralRegistry

/// The path parser and the name, tag and digest rules, without a server.
@Suite(.offCooperativePool) struct RegistryRouteTests {
    @Test func namesWithSlashesRouteFromTheEnd() throws {
        let name = try RepositoryName("library/blobs/alpine")
        #expect(try RegistryRoute.parse("/v2/library/blobs/alpine/manifests/3.20") == .manifest(name, "3.20"))
        #expect(try RegistryRoute.parse("/v2/library/blobs/alpine/tags/list") == .tags(name))
        #expect(try RegistryRoute.parse("/v2/library/blobs/alpine/blobs/uploads/") == .uploads(name))
        #expect(try RegistryRoute.parse("/v2/library/blobs/alpine/blobs/uploads/abc") == .upload(name, "abc"))
        #expect(try RegistryRoute.parse("/v2/") == .base)
        #expect(try RegistryRoute.parse("/v2/_catalog") == .catalog)
        #expect(try RegistryRoute.parse("/v1/x") == nil)
    }

    @Test(arguments: ["../etc", "a/../b", "a//b", "A", "a-", "-a", "a..b", "/a", "a/", "."])
    func badNamesAreRefused(_ text: String) {
        #expect(throws: RegistryError.self) { try RepositoryName(text) }
    }

    @Test func tagsAndDigests() throws {
        #expect(try ManifestReference("v1.0_rc-2") == .tag("v1.0_rc-2"))
        for bad in [".hidden", "..", "-x", String(repeating: "a", count: 129), "a/b"] {
            #expect(throws: RegistryError.self) { try ManifestReference(bad) }
        }
        #expect(throws: RegistryError.self) { try ManifestReference("sha256:abc") }
        let error = #expect(throws: RegistryError.self) { try ManifestReference("sha512:" + String(repeating: "a", count: 128)) }
        #expect(error?.code == .unsupported)
    }

    @Test func byteRanges() {
        #expect(RegistryServer.byteRange("bytes=0-9", size: 100) == 0...9)
        #expect(RegistryServer.byteRange("bytes=90-", size: 100) == 90...99)
        #expect(RegistryServer.byteRange("bytes=-5", size: 100) == 95...99)
        #expect(RegistryServer.byteRange("bytes=95-200", size: 100) == 95...99)
        #expect(RegistryServer.byteRange("bytes=100-", size: 100) == nil)
        #expect(RegistryServer.byteRange("bytes=5-2", size: 100) == nil)
        #expect(RegistryServer.byteRange("items=0-1", size: 100) == nil)
    }
}

/// The chunk rules of an upload, without a server.
@Suite struct ChunkBoundsTests {
    @Test func rangesMustContinueTheUploadAndAgreeWithTheLength() throws {
        #expect(try ChunkBounds.limit(uploaded: 0, contentRange: nil, contentLength: nil) == nil)
        #expect(try ChunkBounds.limit(uploaded: 0, contentRange: nil, contentLength: "12") == 12)
        #expect(try ChunkBounds.limit(uploaded: 100, contentRange: "100-199", contentLength: "100") == 100)
        #expect(try ChunkBounds.limit(uploaded: 100, contentRange: "bytes 100-100", contentLength: nil) == 1)
        for (uploaded, range, length, code) in [
            (100, "0-99", nil, RegistryError.Code.rangeInvalid), (100, "101-200", nil, .rangeInvalid), (0, "5-2", nil, .rangeInvalid),
            (0, "0-", nil, .rangeInvalid), (0, "a-b", nil, .rangeInvalid), (0, "0-9", "11", .sizeInvalid), (0, nil, "-1", .sizeInvalid),
        ] as [(Int64, String?, String?, RegistryError.Code)] {
            let error = #expect(throws: RegistryError.self) {
                try ChunkBounds.limit(uploaded: uploaded, contentRange: range, contentLength: length)
            }
            #expect(error?.code == code, "\(uploaded) \(range ?? "-") \(length ?? "-")")
        }
    }
}

/// Loading credentials: what is refused, and why.
@Suite struct BasicCredentialsTests {
    @Test func badCredentialFilesAreRefusedWithTheReason() throws {
        let scratch = try ScratchDirectory(prefix: "corral-registry-htpasswd")
        defer { scratch.remove() }
        let path = scratch.path + "/htpasswd"
        for (text, reason) in [
            ("alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n", "make it with htpasswd -B"), ("# only a comment\n", "names no users"),
            ("alice\n", "is not NAME:HASH"),
        ] {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: RegistryError.self) { try BasicCredentials.htpasswd(path) }
            #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        }
        #expect(throws: RegistryError.self) { try BasicCredentials.user("no-colon") }
        #expect(throws: RegistryError.self) { try BasicCredentials.user(":password") }
    }
}
