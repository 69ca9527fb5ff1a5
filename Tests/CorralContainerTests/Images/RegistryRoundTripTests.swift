import Foundation
import Glibc
import Testing

@testable import CorralContainer
import CorralTestSupport

/// `corral image push` and `pull` against a real `docker-registry` (distribution 2.8) on loopback.
@Suite(.enabled(if: DockerRegistryProcess.available && FileManager.default.isExecutableFile(atPath: "/bin/busybox")))
struct RegistryRoundTripTests {
    static let insecure = RegistryOptions(insecure: true, timeout: 20)

    /// A store under `temporary` holding a busybox image named `busybox`.
    static func storeWithBusybox(_ temporary: TemporaryDirectory) throws -> ImageStore {
        let rootfs = temporary.path + "/rootfs"
        try ImageStoreRootfsTests.makeBusyboxRootfs(at: rootfs)
        let store = try ImageStore(root: temporary.path + "/source")
        try store.importRootfs(name: "busybox", directory: rootfs)
        return store
    }

    @Test func pushThenPullByTagAndByDigestGivesTheSameImageAndSkipsPresentBlobs() throws {
        let temporary = try TemporaryDirectory("corral-registry")
        defer { temporary.remove() }
        let registry = try DockerRegistryProcess(directory: temporary.path)
        defer { registry.stop() }
        let source = try Self.storeWithBusybox(temporary)
        let tagged = try ImageReference(parsing: registry.address + "/tools/busybox:1.36")

        let pushed = try source.push("busybox", to: tagged, options: Self.insecure)
        #expect(pushed == (try source.inspect("busybox")).manifestDigest)
        #expect(try source.push("busybox", to: tagged, options: Self.insecure) == pushed, "a second push only checks the blobs")

        let target = try ImageStore(root: temporary.path + "/target")
        let byTag = try target.pull(tagged, options: Self.insecure)
        #expect(byTag.name == registry.address + "/tools/busybox:1.36")
        #expect(byTag.digest == pushed)
        #expect(byTag.downloaded.count == 2 && byTag.skipped.isEmpty, "config and layer fetched")
        let details = try target.inspect(byTag.name)
        #expect(details.layers.map(\.diffID) == (try source.inspect("busybox")).layers.map(\.diffID))
        let lower = try #require(try target.lowerDirectories(forImage: byTag.name).first)
        #expect(try RootfsArchiver.readLink(lower + "/bin/sh") == "busybox")
        #expect(try Syscall.readFile(lower + "/etc/passwd") == Array("root:x:0:0:root:/:/bin/sh\n".utf8))

        let pinned = try ImageReference(parsing: registry.address + "/tools/busybox@" + pushed.description)
        let again = try target.pull(pinned, name: "pinned", options: Self.insecure)
        #expect(again.digest == pushed)
        #expect(again.downloaded.isEmpty && again.skipped.count == 2, "the second pull fetches no blob")
        #expect(try target.list().map(\.name) == ["pinned", byTag.name].sorted())

        let fresh = try ImageStore(root: temporary.path + "/fresh")
        #expect(try fresh.pull(pinned, name: "busybox", options: Self.insecure).downloaded.count == 2)
        #expect(try fresh.inspect("busybox").manifestDigest == pushed)
        #expect(try Syscall.listDirectory(fresh.directory + "/downloads").isEmpty, "no download is left behind")
    }

    @Test func anUnknownTagOrRepositoryIsNotFoundAndStoresNothing() throws {
        let temporary = try TemporaryDirectory("corral-registry")
        defer { temporary.remove() }
        let registry = try DockerRegistryProcess(directory: temporary.path)
        defer { registry.stop() }
        let source = try Self.storeWithBusybox(temporary)
        try source.push("busybox", to: try ImageReference(parsing: registry.address + "/tools/busybox:1.36"), options: Self.insecure)

        let target = try ImageStore(root: temporary.path + "/target")
        for text in ["/tools/busybox:1.37", "/tools/nothing:1.36"] {
            let error = #expect(throws: ContainerError.self) {
                try target.pull(try ImageReference(parsing: registry.address + text), options: Self.insecure)
            }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("not found in \(registry.address)") == true, "\(String(describing: error))")
            #expect(error?.cause.contains("MANIFEST_UNKNOWN") == true || error?.cause.contains("NAME_UNKNOWN") == true)
        }
        #expect(try target.list().isEmpty)
        #expect(try Syscall.listDirectory(target.directory + "/blobs/sha256").isEmpty)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/htpasswd")))
    func basicAuthenticationWithHtpasswd() throws {
        let temporary = try TemporaryDirectory("corral-registry")
        defer { temporary.remove() }
        let htpasswd = temporary.path + "/htpasswd"
        try Syscall.writeAtomically(
            Array(try ImageTestSupport.run("/usr/bin/htpasswd", ["-Bbn", "corral", "s3cret:x"]).utf8), to: htpasswd)
        let registry = try DockerRegistryProcess(directory: temporary.path, htpasswd: htpasswd)
        defer { registry.stop() }
        let source = try Self.storeWithBusybox(temporary)
        let reference = try ImageReference(parsing: registry.address + "/private/busybox:1")

        let anonymous = #expect(throws: ContainerError.self) { try source.push("busybox", to: reference, options: Self.insecure) }
        #expect(anonymous?.code == .registry)
        #expect(anonymous?.message.contains("needs credentials") == true, "\(String(describing: anonymous))")

        var wrong = Self.insecure
        wrong.credentials = RegistryCredentials(user: "corral", password: "guess")
        let refused = #expect(throws: ContainerError.self) { try source.push("busybox", to: reference, options: wrong) }
        #expect(refused?.message.contains("refused the credentials of 'corral'") == true, "\(String(describing: refused))")

        var right = Self.insecure
        right.credentials = try RegistryCredentials(parsing: "corral:s3cret:x")
        let pushed = try source.push("busybox", to: reference, options: right)
        let target = try ImageStore(root: temporary.path + "/target")
        #expect(throws: ContainerError.self) { try target.pull(reference, options: Self.insecure) }
        #expect(try target.pull(reference, options: right).digest == pushed)
    }

    @Test func aBigLayerIsPushedInChunksAndHTTPSIsTheDefault() throws {
        let temporary = try TemporaryDirectory("corral-registry")
        defer { temporary.remove() }
        let registry = try DockerRegistryProcess(directory: temporary.path)
        defer { registry.stop() }
        let source = try Self.storeWithBusybox(temporary)
        let layer = try #require(try source.inspect("busybox").layers.first)
        var chunked = Self.insecure
        chunked.chunkSize = 256 << 10
        #expect(layer.sizeBytes > 2 * chunked.chunkSize, "the layer takes several chunks")
        let reference = try ImageReference(parsing: registry.address + "/tools/chunked:1")
        let pushed = try source.push("busybox", to: reference, options: chunked)
        let log = String(decoding: try Syscall.readFile(temporary.path + "/registry.log", limit: 64 << 20), as: UTF8.self)
        #expect(log.components(separatedBy: "\"PATCH /v2/tools/chunked/blobs/uploads/").count - 1 == Int((layer.sizeBytes + chunked.chunkSize - 1) / chunked.chunkSize))

        let target = try ImageStore(root: temporary.path + "/target")
        #expect(try target.pull(reference, options: Self.insecure).digest == pushed)

        let plain = #expect(throws: ContainerError.self) {
            try ImageStore(root: temporary.path + "/other").pull(reference, options: RegistryOptions(timeout: 20))
        }
        #expect(plain?.code == .registry)
        #expect(plain?.cause.contains("add --insecure") == true, "\(String(describing: plain))")
    }

    @Test func anUnreachableRegistryIsSaidSo() throws {
        let temporary = try TemporaryDirectory("corral-registry")
        defer { temporary.remove() }
        let (socket, port) = try LoopbackPort.bind()  // bound, not listening: connections are refused
        defer { close(socket) }
        let store = try ImageStore(root: temporary.path + "/target")
        let error = #expect(throws: ContainerError.self) {
            try store.pull(try ImageReference(parsing: "127.0.0.1:\(port)/tools/busybox:1"), options: Self.insecure)
        }
        #expect(error?.code == .registry)
        #expect(error?.message.contains("registry 127.0.0.1:\(port) is unreachable") == true, "\(String(describing: error))")
    }
}
