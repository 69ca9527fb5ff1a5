import AsyncHTTPClient
import CorralContainer
import CorralRegistry
import CorralTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

/// One HTTP answer from the registry.
struct RegistryReply {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
    /// The first header named `name`.
    func header(_ name: String) -> String? { headers.first(name: name) }
    /// The `code` of the first error in a spec error body.
    var errorCode: String? {
        let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        return ((object?["errors"] as? [[String: Any]])?.first?["code"]) as? String
    }
    /// The body as a JSON object.
    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:] }
}

/// A registry served in-process on 127.0.0.1 (port 0) over a fresh root, and an HTTP client
/// (AsyncHTTPClient) that talks to it over the socket.
struct RegistryHarness {
    let port: Int
    let storage: RegistryStorage
    /// `Authorization` sent with every request, if any.
    var authorization: String?

    var root: String { storage.root }

    /// Runs `body` against a new registry; the server stops and its root is removed after.
    static func with<T>(
        credentials: BasicCredentials? = nil, root: String? = nil, tls: RegistryServer.TLSFiles? = nil,
        maxBlobBytes: Int64? = nil, _ body: (RegistryHarness) async throws -> T
    ) async throws -> T {
        let scratch = try ScratchDirectory(prefix: "corral-registry")
        defer { scratch.remove() }
        let storage = try RegistryStorage(root: root ?? scratch.path + "/root")
        var server = RegistryServer(storage: storage, listen: .init(host: "127.0.0.1", port: 0), credentials: credentials, tls: tls)
        if let maxBlobBytes { server.maxBlobBytes = maxBlobBytes }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = try server.application(onRunning: { continuation.yield($0) })
        let services = ServiceGroup(configuration: .init(services: [application], logger: .init(label: "registry-test")))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await services.run()
            }
            do {
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next(), "the registry did not start")
                let result = try await body(RegistryHarness(port: port, storage: storage))
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                group.cancelAll()
                throw error
            }
        }
    }

    // MARK: - Requests

    /// Sends `method path` with `headers` and `body`; returns the whole answer.
    func send(
        _ method: HTTPMethod, _ path: String, headers: [String: String] = [:], body: [UInt8]? = nil
    ) async throws -> RegistryReply {
        try await RegistryHarness.send(method, "http://127.0.0.1:\(port)" + path, headers: headers, body: body, authorization: authorization)
    }

    static func send(
        _ method: HTTPMethod, _ url: String, headers: [String: String] = [:], body: [UInt8]? = nil, authorization: String? = nil
    ) async throws -> RegistryReply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let authorization { request.headers.replaceOrAdd(name: "Authorization", value: authorization) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return RegistryReply(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
    }

    /// Pushes `bytes` to `repository` in one `POST ?digest=`; returns the digest.
    @discardableResult
    func pushBlob(_ repository: String, _ bytes: [UInt8]) async throws -> String {
        let digest = Self.digest(bytes)
        let reply = try await send(
            .POST, "/v2/\(repository)/blobs/uploads/?digest=\(digest)", headers: ["Content-Type": "application/octet-stream"],
            body: bytes)
        #expect(reply.status == 201, "\(reply.text)")
        return digest
    }

    /// Pushes a one-layer OCI image (`config`, `layer`) as `repository:tag`; returns the manifest's digest.
    @discardableResult
    func pushImage(_ repository: String, tag: String, config: [UInt8], layer: [UInt8]) async throws -> String {
        try await pushBlob(repository, config)
        try await pushBlob(repository, layer)
        let manifest = Self.manifest(config: config, layers: [layer])
        let reply = try await send(
            .PUT, "/v2/\(repository)/manifests/\(tag)", headers: ["Content-Type": MediaType.ociManifest], body: manifest)
        #expect(reply.status == 201, "\(reply.text)")
        return Self.digest(manifest)
    }

    /// Polls `condition` every 20 ms until it holds, failing after 20 s.
    static func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw RawHTTP.Failure(description: "timed out waiting until \(what)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    // MARK: - Content

    /// `sha256:<hex>` of `bytes`.
    static func digest(_ bytes: [UInt8]) -> String { "sha256:" + SHA256Hasher.hex(of: bytes) }

    /// An OCI image manifest naming `config` and `layers`.
    static func manifest(config: [UInt8], layers: [[UInt8]], mediaType: String = MediaType.ociManifest) -> [UInt8] {
        let layerJSON = layers.map {
            #"{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"\#(digest($0))","size":\#($0.count)}"#
        }
        let configMediaType = mediaType == MediaType.dockerManifest ? MediaType.dockerConfig : MediaType.ociConfig
        return Array(
            (#"{"schemaVersion":2,"mediaType":"\#(mediaType)","config":{"mediaType":"\#(configMediaType)","#
                + #""digest":"\#(digest(config))","size":\#(config.count)},"layers":[\#(layerJSON.joined(separator: ","))]}"#).utf8)
    }

    /// `count` bytes that differ from run to run only through `seed`.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }
}
