import CorralContainer
import CorralRegistry
import CorralTestSupport
import Foundation
import Glibc
import Testing

/// Manifest checks, tags and the catalog, deletes and garbage collection.
@Suite(.offCooperativePool) struct RegistryManifestTests {
    static let config = Array(#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#.utf8)

    @Test func manifestsAreCheckedBeforeTheyAreStored() async throws {
        try await RegistryHarness.with { registry in
            let layer = RegistryHarness.bytes(100, seed: 10)
            let manifest = RegistryHarness.manifest(config: Self.config, layers: [layer])
            let unknownType = try await registry.send(
                .PUT, "/v2/app/manifests/v1", headers: ["Content-Type": "application/json"], body: manifest)
            #expect(unknownType.status == 400)
            #expect(unknownType.errorCode == "MANIFEST_INVALID")
            #expect(unknownType.text.contains("application/vnd.oci.image.manifest.v1+json"))

            let missing = try await registry.send(
                .PUT, "/v2/app/manifests/v1", headers: ["Content-Type": MediaType.ociManifest], body: manifest)
            #expect(missing.status == 400)
            #expect(missing.errorCode == "MANIFEST_BLOB_UNKNOWN")

            let garbled = try await registry.send(
                .PUT, "/v2/app/manifests/v1", headers: ["Content-Type": MediaType.ociManifest], body: Array("{\"schemaVersion\":2".utf8))
            #expect(garbled.errorCode == "MANIFEST_INVALID")
            let mismatched = try await registry.send(
                .PUT, "/v2/app/manifests/v1", headers: ["Content-Type": MediaType.dockerManifest], body: manifest)
            #expect(mismatched.errorCode == "MANIFEST_INVALID")
            let wrongDigest = try await registry.send(
                .PUT, "/v2/app/manifests/\(RegistryHarness.digest([0]))", headers: ["Content-Type": MediaType.ociManifest],
                body: manifest)
            #expect(wrongDigest.errorCode == "DIGEST_INVALID")
            #expect(try await registry.send(.PUT, "/v2/app/manifests/-bad", body: manifest).errorCode == "TAG_INVALID")
            #expect(try await registry.send(.GET, "/v2/app/tags/list").errorCode == "NAME_UNKNOWN")
        }
    }

    @Test func dockerManifestsAndIndexesKeepTheirMediaTypes() async throws {
        try await RegistryHarness.with { registry in
            let layer = RegistryHarness.bytes(100, seed: 11)
            try await registry.pushBlob("app", Self.config)
            try await registry.pushBlob("app", layer)
            let docker = RegistryHarness.manifest(config: Self.config, layers: [layer], mediaType: MediaType.dockerManifest)
            let dockerDigest = RegistryHarness.digest(docker)
            let put = try await registry.send(
                .PUT, "/v2/app/manifests/\(dockerDigest)", headers: ["Content-Type": MediaType.dockerManifest], body: docker)
            #expect(put.status == 201)
            let list = Array(
                (#"{"schemaVersion":2,"mediaType":"\#(MediaType.dockerManifestList)","manifests":[{"mediaType":"\#(MediaType.dockerManifest)","#
                    + #""digest":"\#(dockerDigest)","size":\#(docker.count),"platform":{"architecture":"amd64","os":"linux"}}]}"#).utf8)
            #expect(
                try await registry.send(.PUT, "/v2/app/manifests/multi", headers: ["Content-Type": MediaType.dockerManifestList], body: list)
                    .status == 201)
            let fetched = try await registry.send(.GET, "/v2/app/manifests/multi")
            #expect(fetched.header("Content-Type") == MediaType.dockerManifestList)
            #expect(fetched.body == list)
            #expect(try await registry.send(.GET, "/v2/app/manifests/\(dockerDigest)").header("Content-Type") == MediaType.dockerManifest)
            // Without a Content-Type the document's own mediaType is taken.
            let oci = RegistryHarness.manifest(config: Self.config, layers: [layer])
            #expect(try await registry.send(.PUT, "/v2/app/manifests/untyped", body: oci).status == 201)
            #expect(try await registry.send(.HEAD, "/v2/app/manifests/untyped").header("Content-Type") == MediaType.ociManifest)
            // An index naming a manifest the repository does not have is refused.
            let orphan = Array(String(decoding: list, as: UTF8.self).replacingOccurrences(of: dockerDigest, with: RegistryHarness.digest([9])).utf8)
            let refused = try await registry.send(
                .PUT, "/v2/app/manifests/orphan", headers: ["Content-Type": MediaType.dockerManifestList], body: orphan)
            #expect(refused.errorCode == "MANIFEST_BLOB_UNKNOWN")
        }
    }

    @Test func tagsAndCatalogArePaginated() async throws {
        try await RegistryHarness.with { registry in
            let layer = RegistryHarness.bytes(64, seed: 12)
            for tag in ["e", "a", "d", "b", "c"] {
                try await registry.pushImage("lib/app", tag: tag, config: Self.config, layer: layer)
            }
            for repository in ["zeta", "alpha"] { try await registry.pushBlob(repository, layer) }
            var page = try await registry.send(.GET, "/v2/lib/app/tags/list?n=2")
            #expect(page.object["tags"] as? [String] == ["a", "b"])
            #expect(page.object["name"] as? String == "lib/app")
            var link = try #require(page.header("Link"))
            #expect(link == #"</v2/lib/app/tags/list?n=2&last=b>; rel="next""#)
            page = try await registry.send(.GET, String(link.dropFirst().prefix { $0 != ">" }))
            #expect(page.object["tags"] as? [String] == ["c", "d"])
            link = try #require(page.header("Link"))
            page = try await registry.send(.GET, String(link.dropFirst().prefix { $0 != ">" }))
            #expect(page.object["tags"] as? [String] == ["e"])
            #expect(page.header("Link") == nil)
            let none = try await registry.send(.GET, "/v2/lib/app/tags/list?n=0")
            #expect(none.object["tags"] as? [String] == [])
            #expect(none.header("Link") == nil)
            #expect(try await registry.send(.GET, "/v2/lib/app/tags/list").object["tags"] as? [String] == ["a", "b", "c", "d", "e"])

            let catalog = try await registry.send(.GET, "/v2/_catalog?n=2")
            #expect(catalog.object["repositories"] as? [String] == ["alpha", "lib/app"])
            #expect(catalog.header("Link") == #"</v2/_catalog?n=2&last=lib%2Fapp>; rel="next""#)
            let rest = try await registry.send(.GET, "/v2/_catalog?n=2&last=lib%2Fapp")
            #expect(rest.object["repositories"] as? [String] == ["zeta"])
        }
    }

    @Test func traversalNamesAreRefused() async throws {
        try await RegistryHarness.with { registry in
            for path in ["/v2/../../etc/tags/list", "/v2/a/../../blobs/uploads/", "/v2/a%2F..%2F..%2Fx/tags/list", "/v2/UPPER/tags/list"] {
                let reply = try RawHTTP.exchange(port: registry.port, Array("GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
                #expect(reply.hasPrefix("HTTP/1.1 400"), "\(path): \(reply.prefix(200))")
                #expect(reply.contains("NAME_INVALID"), "\(path)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/repositories").isEmpty)
        }
    }

    @Test func deletesThenGarbageCollection() async throws {
        try await RegistryHarness.with { registry in
            let shared = RegistryHarness.bytes(1000, seed: 13)
            let own = RegistryHarness.bytes(1000, seed: 14)
            let kept = try await registry.pushImage("keep", tag: "v1", config: Self.config, layer: shared)
            let dropped = try await registry.pushImage("drop", tag: "v1", config: Self.config, layer: own)
            try await registry.pushBlob("drop", shared)
            let stray = try await registry.pushBlob("drop", RegistryHarness.bytes(10, seed: 15))

            #expect(try await registry.send(.DELETE, "/v2/drop/manifests/v1").status == 202)
            #expect(try await registry.send(.GET, "/v2/drop/manifests/v1").errorCode == "MANIFEST_UNKNOWN")
            #expect(try await registry.send(.GET, "/v2/drop/manifests/\(dropped)").status == 200)  // untagged, still there
            #expect(try await registry.send(.DELETE, "/v2/drop/blobs/\(stray)").status == 202)
            #expect(try await registry.send(.HEAD, "/v2/drop/blobs/\(stray)").status == 404)
            #expect(try await registry.send(.DELETE, "/v2/drop/blobs/\(stray)").errorCode == "BLOB_UNKNOWN")

            // Collection is offline: it refuses while a server holds the root.
            let lock = try registry.storage.lock(exclusive: false)
            #expect(throws: RegistryError.self) { try RegistryGarbageCollector.collect(registry.storage) }
            close(lock)
            // A fork another test makes in this process at that moment (a container launch,
            // before its exec) can hold a copy of the lock's open file for a moment after
            // the close; `corral registry gc` runs in a process of its own, where none does.
            try await RegistryHarness.waitUntil("the lock is free") {
                guard let free = try? registry.storage.lock(exclusive: true) else { return false }
                close(free)
                return true
            }
            let report = try RegistryGarbageCollector.collect(registry.storage)
            #expect(report.manifests == ["drop@\(dropped)"])
            let blobs = Set(try FileManager.default.contentsOfDirectory(atPath: registry.root + "/blobs/sha256"))
            let hex = { (digest: String) in String(digest.dropFirst(7)) }
            #expect(blobs == Set([kept, RegistryHarness.digest(Self.config), RegistryHarness.digest(shared)].map(hex)))
            #expect(try await registry.send(.GET, "/v2/keep/manifests/v1").status == 200)
            #expect(try await registry.send(.GET, "/v2/keep/blobs/\(RegistryHarness.digest(shared))").body == shared)
            #expect(try await registry.send(.HEAD, "/v2/drop/blobs/\(RegistryHarness.digest(shared))").status == 404)
            #expect(try await registry.send(.GET, "/v2/drop/manifests/\(dropped)").errorCode == "MANIFEST_UNKNOWN")
        }
    }

    @Test func basicAuthentication() async throws {
        let scratch = try ScratchDirectory(prefix: "corral-registry-auth")
        defer { scratch.remove() }
        let htpasswd = scratch.path + "/htpasswd"
        let made = try RunTool.run("/usr/bin/htpasswd", ["-B", "-b", "-c", htpasswd, "alice", "s3cret"])
        #expect(made.status == 0, "\(made.output)")
        for credentials in [try BasicCredentials.htpasswd(htpasswd), try BasicCredentials.user("alice:s3cret")] {
            try await RegistryHarness.with(credentials: credentials) { registry in
                let anonymous = try await registry.send(.GET, "/v2/")
                #expect(anonymous.status == 401)
                #expect(anonymous.errorCode == "UNAUTHORIZED")
                #expect(anonymous.header("WWW-Authenticate") == #"Basic realm="corral-registry""#)
                #expect(anonymous.header("Docker-Distribution-API-Version") == "registry/2.0")
                var wrong = registry
                wrong.authorization = "Basic " + Data("alice:guess".utf8).base64EncodedString()
                #expect(try await wrong.send(.GET, "/v2/_catalog").status == 401)
                var right = registry
                right.authorization = "Basic " + Data("alice:s3cret".utf8).base64EncodedString()
                #expect(try await right.send(.GET, "/v2/").status == 200)
                #expect(try await right.send(.GET, "/v2/_catalog").status == 200)
            }
        }
    }
}
