import CorralContainer
import CorralRegistry
import Foundation
import Glibc
import Testing

/// Push and pull over a real socket: monolithic and chunked uploads, ranges, digests.
@Suite(.offCooperativePool) struct RegistryPushPullTests {
    @Test func versionCheckAnswersWithTheAPIVersion() async throws {
        try await RegistryHarness.with { registry in
            let reply = try await registry.send(.GET, "/v2/")
            #expect(reply.status == 200)
            #expect(reply.header("Docker-Distribution-API-Version") == "registry/2.0")
        }
    }

    @Test func chunkedPushThenPullWithRanges() async throws {
        try await RegistryHarness.with { registry in
            let layer = RegistryHarness.bytes(300_000, seed: 1)
            let digest = RegistryHarness.digest(layer)
            let started = try await registry.send(.POST, "/v2/team/app/blobs/uploads/")
            #expect(started.status == 202)
            #expect(started.header("Docker-Upload-UUID") != nil)
            var location = try #require(started.header("Location"))
            for (start, end) in [(0, 99_999), (100_000, 249_999)] {
                let chunk = Array(layer[start...end])
                let reply = try await registry.send(
                    .PATCH, location,
                    headers: ["Content-Range": "\(start)-\(end)", "Content-Type": "application/octet-stream"], body: chunk)
                #expect(reply.status == 202, "\(reply.text)")
                #expect(reply.header("Range") == "0-\(end)")
                location = try #require(reply.header("Location"))
            }
            let status = try await registry.send(.GET, location)
            #expect(status.status == 204)
            #expect(status.header("Range") == "0-249999")
            // The last chunk rides on the closing PUT.
            let closed = try await registry.send(
                .PUT, location + "?digest=\(digest)", headers: ["Content-Range": "250000-299999"], body: Array(layer[250_000...]))
            #expect(closed.status == 201, "\(closed.text)")
            #expect(closed.header("Location") == "/v2/team/app/blobs/\(digest)")
            #expect(closed.header("Docker-Content-Digest") == digest)

            let head = try await registry.send(.HEAD, "/v2/team/app/blobs/\(digest)")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "300000")
            #expect(head.header("Docker-Content-Digest") == digest)
            let whole = try await registry.send(.GET, "/v2/team/app/blobs/\(digest)")
            #expect(whole.body == layer)
            let part = try await registry.send(.GET, "/v2/team/app/blobs/\(digest)", headers: ["Range": "bytes=1000-1999"])
            #expect(part.status == 206)
            #expect(part.header("Content-Range") == "bytes 1000-1999/300000")
            #expect(part.body == Array(layer[1000...1999]))
            let beyond = try await registry.send(.GET, "/v2/team/app/blobs/\(digest)", headers: ["Range": "bytes=300000-"])
            #expect(beyond.status == 416)
            #expect(beyond.header("Content-Range") == "bytes */300000")
            // Another repository does not serve it.
            #expect(try await registry.send(.GET, "/v2/other/blobs/\(digest)").errorCode == "BLOB_UNKNOWN")
        }
    }

    @Test func monolithicPushOfAnImageAndItsManifest() async throws {
        try await RegistryHarness.with { registry in
            let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)
            let layer = RegistryHarness.bytes(5000, seed: 2)
            // POST then PUT, as skopeo does it.
            let started = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            let location = try #require(started.header("Location"))
            let put = try await registry.send(.PUT, location + "?digest=\(RegistryHarness.digest(layer))", body: layer)
            #expect(put.status == 201)
            let digest = try await registry.pushImage("app", tag: "v1", config: config, layer: layer)
            for type in [MediaType.ociManifest] {
                let reply = try await registry.send(.GET, "/v2/app/manifests/v1", headers: ["Accept": type])
                #expect(reply.status == 200)
                #expect(reply.header("Content-Type") == MediaType.ociManifest)
                #expect(reply.header("Docker-Content-Digest") == digest)
                #expect(RegistryHarness.digest(reply.body) == digest)
            }
            let byDigest = try await registry.send(.HEAD, "/v2/app/manifests/\(digest)")
            #expect(byDigest.status == 200)
            #expect(byDigest.header("Docker-Content-Digest") == digest)
            #expect(try await registry.send(.GET, "/v2/app/manifests/v2").errorCode == "MANIFEST_UNKNOWN")
        }
    }

    @Test func aWrongDigestKeepsNothing() async throws {
        try await RegistryHarness.with { registry in
            let layer = RegistryHarness.bytes(10_000, seed: 3)
            let claimed = RegistryHarness.digest(Array(layer.dropLast()))
            let reply = try await registry.send(.POST, "/v2/app/blobs/uploads/?digest=\(claimed)", body: layer)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "DIGEST_INVALID")
            #expect(try await registry.send(.HEAD, "/v2/app/blobs/\(claimed)").status == 404)
            #expect(try await registry.send(.HEAD, "/v2/app/blobs/\(RegistryHarness.digest(layer))").status == 404)
            #expect(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/blobs/sha256").isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/uploads").isEmpty)
            // The same after a chunked upload: the session is gone too.
            let started = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            let location = try #require(started.header("Location"))
            _ = try await registry.send(.PATCH, location, headers: ["Content-Range": "0-9999"], body: layer)
            #expect(try await registry.send(.PUT, location + "?digest=\(claimed)").errorCode == "DIGEST_INVALID")
            #expect(try await registry.send(.GET, location).errorCode == "BLOB_UPLOAD_UNKNOWN")
            #expect(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/blobs/sha256").isEmpty)
        }
    }

    @Test func anOutOfOrderChunkIsRefusedAndTheUploadGoesOn() async throws {
        try await RegistryHarness.with { registry in
            let layer = RegistryHarness.bytes(2000, seed: 4)
            let started = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            let location = try #require(started.header("Location"))
            let early = try await registry.send(.PATCH, location, headers: ["Content-Range": "1000-1999"], body: Array(layer[1000...]))
            #expect(early.status == 416)
            #expect(early.errorCode == "RANGE_INVALID")
            #expect(early.header("Range") == "0-0")
            _ = try await registry.send(.PATCH, location, headers: ["Content-Range": "0-999"], body: Array(layer[..<1000]))
            let again = try await registry.send(.PATCH, location, headers: ["Content-Range": "0-999"], body: Array(layer[..<1000]))
            #expect(again.status == 416)
            #expect(again.header("Range") == "0-999")
            _ = try await registry.send(.PATCH, location, headers: ["Content-Range": "1000-1999"], body: Array(layer[1000...]))
            let closed = try await registry.send(.PUT, location + "?digest=\(RegistryHarness.digest(layer))")
            #expect(closed.status == 201, "\(closed.text)")
            // A cancelled upload is gone.
            let other = try #require(try await registry.send(.POST, "/v2/app/blobs/uploads/").header("Location"))
            #expect(try await registry.send(.DELETE, other).status == 204)
            #expect(try await registry.send(.GET, other).errorCode == "BLOB_UPLOAD_UNKNOWN")
        }
    }

    @Test func aTruncatedUploadKeepsNothingOrWhatArrived() async throws {
        try await RegistryHarness.with { registry in
            let layer = RegistryHarness.bytes(100_000, seed: 6)
            let digest = RegistryHarness.digest(layer)
            let uploads = registry.root + "/uploads"
            // A whole-blob upload that promises 100,000 bytes, sends 40,000 and hangs up keeps nothing.
            var socket = try RawHTTP.connect(port: registry.port)
            try RawHTTP.send(
                socket,
                Array("POST /v2/app/blobs/uploads/?digest=\(digest) HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".utf8)
                    + layer[..<40_000])
            close(socket)
            try await RegistryHarness.waitUntil("the cut upload is removed") {
                try FileManager.default.contentsOfDirectory(atPath: uploads).isEmpty
            }
            #expect(try await registry.send(.HEAD, "/v2/app/blobs/\(digest)").status == 404)
            #expect(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/blobs/sha256").isEmpty)

            // A chunk cut short keeps what arrived, and the upload goes on from there.
            let location = try #require(try await registry.send(.POST, "/v2/app/blobs/uploads/").header("Location"))
            socket = try RawHTTP.connect(port: registry.port)
            try RawHTTP.send(
                socket,
                Array("PATCH \(location) HTTP/1.1\r\nHost: x\r\nContent-Range: 0-99999\r\nContent-Length: 100000\r\n\r\n".utf8)
                    + layer[..<30_000])
            try await RegistryHarness.waitUntil("the server has the first 30,000 bytes") {
                (try? FileManager.default.attributesOfItem(atPath: registry.root + location.replacingOccurrences(
                    of: "/v2/app/blobs/uploads", with: "/uploads") + "/data")[.size] as? Int) == 30_000
            }
            close(socket)
            try await RegistryHarness.waitUntil("the upload reports 30,000 bytes") {
                try await registry.send(.GET, location).header("Range") == "0-29999"
            }
            // A Content-Length that disagrees with Content-Range is refused before a byte is kept.
            let disagreeing = try await registry.send(
                .PATCH, location, headers: ["Content-Range": "30000-39999", "Content-Length": "5"], body: [1, 2, 3, 4, 5])
            #expect(disagreeing.errorCode == "SIZE_INVALID")
            #expect(try await registry.send(.GET, location).header("Range") == "0-29999")
            let rest = try await registry.send(.PATCH, location, headers: ["Content-Range": "30000-99999"], body: Array(layer[30_000...]))
            #expect(rest.status == 202)
            #expect(try await registry.send(.PUT, location + "?digest=\(digest)").status == 201)
            #expect(try await registry.send(.GET, "/v2/app/blobs/\(digest)").body == layer)
        }
    }

    @Test func oneWriterAtATimePerUpload() async throws {
        try await RegistryHarness.with { registry in
            let location = try #require(try await registry.send(.POST, "/v2/app/blobs/uploads/").header("Location"))
            let socket = try RawHTTP.connect(port: registry.port)
            try RawHTTP.send(socket, Array("PATCH \(location) HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789".utf8))
            let data = registry.root + location.replacingOccurrences(of: "/v2/app/blobs/uploads", with: "/uploads") + "/data"
            try await RegistryHarness.waitUntil("the first writer's bytes arrive") {
                (try? FileManager.default.attributesOfItem(atPath: data)[.size] as? Int) == 10
            }
            let second = try await registry.send(.PATCH, location, body: [1, 2, 3])
            #expect(second.status == 409)
            #expect(second.errorCode == "BLOB_UPLOAD_INVALID")
            close(socket)
            try await RegistryHarness.waitUntil("the first writer is done") {
                try await registry.send(.GET, location).header("Range") == "0-9"
            }
        }
    }

    @Test func crossRepositoryMount() async throws {
        try await RegistryHarness.with { registry in
            let layer = RegistryHarness.bytes(4096, seed: 5)
            let digest = try await registry.pushBlob("first", layer)
            let mounted = try await registry.send(.POST, "/v2/second/blobs/uploads/?mount=\(digest)&from=first")
            #expect(mounted.status == 201)
            #expect(mounted.header("Location") == "/v2/second/blobs/\(digest)")
            #expect(try await registry.send(.GET, "/v2/second/blobs/\(digest)").body == layer)
            // Not there: an ordinary upload begins instead.
            let absent = RegistryHarness.digest([1, 2, 3])
            let fallback = try await registry.send(.POST, "/v2/third/blobs/uploads/?mount=\(absent)&from=first")
            #expect(fallback.status == 202)
            #expect(fallback.header("Location")?.hasPrefix("/v2/third/blobs/uploads/") == true)
        }
    }
}
