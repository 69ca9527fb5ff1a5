import CorralContainer
import CorralTestSupport
import Foundation
import NIOHTTP1
import Testing

@testable import CorralRegistry

/// The registry against hostile requests: encoded traversal in every part of a path,
/// oversized manifests and blobs. Each is refused with a 4xx that says why, and nothing is
/// written outside the registry's root (or kept inside it).
@Suite(.offCooperativePool) struct RegistryHostileInputTests {
    @Test func encodedTraversalInNamesDigestsTagsAndUploadIDsIsRefused() async throws {
        try await RegistryHarness.with { registry in
            let paths = [
                "/v2/%2e%2e/%2e%2e/etc/tags/list", "/v2/a/%2E%2E/b/manifests/latest", "/v2/a/manifests/..",
                "/v2/a/manifests/%2e%2e", "/v2/a/blobs/sha256:..%2F..%2F..%2Fetc%2Fpasswd", "/v2/a/blobs/../../../etc/passwd",
                "/v2/a/blobs/uploads/..", "/v2/a/blobs/uploads/..%2F..%2Fblobs", "/v2//etc/passwd/tags/list",
                "/v2/a/manifests/sha256:" + String(repeating: "../", count: 22), "/v2/a%00b/tags/list",
            ]
            for path in paths {
                for method in ["GET", "PUT", "PATCH", "DELETE"] {
                    let reply = try RawHTTP.exchange(
                        port: registry.port,
                        Array("\(method) \(path) HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                    let status = Int(reply.dropFirst(9).prefix(3)) ?? 0
                    #expect((400..<500).contains(status), "\(method) \(path): \(reply.prefix(200))")
                    #expect(reply.contains("\"code\""), "\(method) \(path) says why")
                }
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/repositories").isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/blobs/sha256").isEmpty)
        }
    }

    @Test func aManifestOverTheLimitIs413AndNotStored() async throws {
        try await RegistryHarness.with { registry in
            let padding = String(repeating: " ", count: ManifestDocument.maxBytes)
            let manifest = Array("{\"schemaVersion\": 2,\(padding)\"layers\": []}".utf8)
            let reply = try await registry.send(
                .PUT, "/v2/app/manifests/big", headers: ["Content-Type": MediaType.ociManifest], body: manifest)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "SIZE_INVALID")
            #expect(reply.text.contains("\(ManifestDocument.maxBytes)"), "\(reply.text)")
            #expect(try await registry.send(.GET, "/v2/app/manifests/big").status == 404)
        }
    }

    @Test func blobsOverTheCapAre413WhetherDeclaredChunkedOrStreamed() async throws {
        try await RegistryHarness.with(maxBlobBytes: 1_024) { registry in
            // Declared by Content-Length: refused before a byte is read.
            let bytes = [UInt8](repeating: 7, count: 2_000)
            let whole = try await registry.send(
                .POST, "/v2/app/blobs/uploads/?digest=\(RegistryHarness.digest(bytes))",
                headers: ["Content-Type": "application/octet-stream"], body: bytes)
            #expect(whole.status == 413, "\(whole.text)")
            #expect(whole.errorCode == "SIZE_INVALID")
            #expect(whole.text.contains("1024") && whole.text.contains("--max-blob-bytes"), "\(whole.text)")
            // In chunks: the first fits, the second would pass the cap.
            let start = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            #expect(start.status == 202)
            let location = try #require(start.header("Location"))
            let first = try await registry.send(
                .PATCH, location, headers: ["Content-Range": "0-999", "Content-Type": "application/octet-stream"],
                body: Array(bytes.prefix(1_000)))
            #expect(first.status == 202, "\(first.text)")
            let second = try await registry.send(
                .PATCH, location, headers: ["Content-Range": "1000-1999", "Content-Type": "application/octet-stream"],
                body: Array(bytes.suffix(1_000)))
            #expect(second.status == 413, "\(second.text)")
            // Streamed (chunked transfer, no length): cut off at the cap.
            let streamed = try RawHTTP.exchange(
                port: registry.port,
                Array(("POST /v2/app/blobs/uploads/?digest=\(RegistryHarness.digest(bytes)) HTTP/1.1\r\nHost: x\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n7d0\r\n"
                    + String(repeating: "x", count: 2_000) + "\r\n0\r\n\r\n").utf8))
            #expect(streamed.hasPrefix("HTTP/1.1 413"), "\(streamed.prefix(300))")
            #expect(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/blobs/sha256").isEmpty)
            // A blob within the cap is taken as before.
            try await registry.pushBlob("app", Array(bytes.prefix(1_024)))
        }
    }

    @Test func chunkAllowancesFollowTheCap() throws {
        let fits = try ChunkBounds.allowance(uploaded: 0, contentRange: "0-99", contentLength: "100", maxBlobBytes: 100)
        #expect(fits.limit == 100 && fits.declared && fits.tooLong == nil)
        let streamed = try ChunkBounds.allowance(uploaded: 40, contentRange: nil, contentLength: nil, maxBlobBytes: 100)
        #expect(streamed.limit == 60 && !streamed.declared && streamed.tooLong?.status == 413)
        #expect(throws: RegistryError.self) {
            _ = try ChunkBounds.allowance(uploaded: 0, contentRange: nil, contentLength: "101", maxBlobBytes: 100)
        }
        // The fuzz finding: an end at Int64.max overflowed the range's length.
        #expect(throws: RegistryError.self) {
            _ = try ChunkBounds.limit(uploaded: 0, contentRange: "0-9223372036854775807", contentLength: nil)
        }
    }
}
