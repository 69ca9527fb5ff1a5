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

extension RegistryReply {
    /// The HTTP/1.1 answer `bytes` hold: status line, headers, and a body by `Content-Length`,
    /// chunks, or the close (none after a HEAD request, or for 1xx, 204 and 304); nil while
    /// they hold only part of it. Once the server has `closed` the connection, a part is an
    /// error instead.
    init?(parsing bytes: [UInt8], head: Bool, closed: Bool) throws {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            guard !closed else {
                throw RawHTTP.Failure(description: "no complete answer: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
            }
            return nil
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let code = Int(statusParts[1]) else {
            throw RawHTTP.Failure(description: "not an HTTP status line: \(lines[0])")
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var rest = Array(bytes[(end + separator.count)...])
        if head || code == 204 || code == 304 || (100..<200).contains(code) {
            rest = []
        } else if headers.first(name: "Transfer-Encoding")?.lowercased() == "chunked" {
            var decoded: [UInt8] = []
            while true {
                guard let lineEnd = rest.indices.first(where: { rest[$0...].starts(with: [13, 10]) }),
                    let size = Int(String(decoding: rest[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16),
                    rest.count >= lineEnd + 4 + size
                else {
                    guard !closed else { throw RawHTTP.Failure(description: "the chunked answer ended before its last chunk") }
                    return nil
                }
                if size == 0 { break }
                decoded += rest[(lineEnd + 2)..<(lineEnd + 2 + size)]
                rest = Array(rest[(lineEnd + 4 + size)...])
            }
            rest = decoded
        } else if let length = headers.first(name: "Content-Length").flatMap({ Int($0) }) {
            guard rest.count >= length else {
                guard !closed else { throw RawHTTP.Failure(description: "the answer ended after \(rest.count) of its \(length) bytes") }
                return nil
            }
            rest = Array(rest.prefix(length))
        } else if !closed {
            return nil  // its end is the close
        }
        self.init(status: code, headers: headers, body: rest)
    }
}

/// A registry served in-process on 127.0.0.1 (port 0) over a fresh root, and an HTTP client
/// that talks to it over the socket, one connection a request.
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

    /// Sends `method url` (`http://127.0.0.1:<port>/…`) on a connection of its own and reads
    /// the whole answer. A plain blocking exchange on the test's thread (the
    /// suites run on `TestExecutor`): no connection pool or client event loop shared between
    /// tests, so one test's request never waits on another's.
    static func send(
        _ method: HTTPMethod, _ url: String, headers: [String: String] = [:], body: [UInt8]? = nil, authorization: String? = nil
    ) async throws -> RegistryReply {
        let rest = url.dropFirst("http://".count)
        guard url.hasPrefix("http://"), let slash = rest.firstIndex(of: "/"), let colon = rest[..<slash].lastIndex(of: ":"),
            let port = Int(rest[rest.index(after: colon)..<slash])
        else { throw RawHTTP.Failure(description: "not an http://host:port/path URL: \(url)") }
        var head = "\(method.rawValue) \(rest[slash...]) HTTP/1.1\r\nHost: \(rest[..<slash])\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let authorization { head += "Authorization: \(authorization)\r\n" }
        let lengthGiven = headers.keys.contains { $0.lowercased() == "content-length" }
        if !lengthGiven && (body != nil || [.POST, .PUT, .PATCH].contains(method)) {
            head += "Content-Length: \((body ?? []).count)\r\n"
        }
        // Done when the answer is whole, not at the close: under a full test run the server
        // can be slow to close a finished connection, and no client waits for that.
        let answer = try RawHTTP.exchangeBytes(port: port, Array((head + "\r\n").utf8) + (body ?? []), seconds: 60) {
            (try? RegistryReply(parsing: $0, head: method == .HEAD, closed: false)) != nil
        }
        // Whole, or all the server sent before it closed: never nil with `closed`.
        return try RegistryReply(parsing: answer, head: method == .HEAD, closed: true)!
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
