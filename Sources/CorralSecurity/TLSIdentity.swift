import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// A node's TLS material, loaded from `TLSFiles` and reloaded when a file changes on disk, so
/// certificates can be rotated without a restart.
///
/// Servers built from `serverConfiguration` pick up a new certificate and key on the next
/// handshake. Contexts from `serverContext()` and `clientContext()` are rebuilt after any file
/// changed (certificate, key or CA), so transports that make a handler per connection (Raft
/// peer links, HTTP clients) use the new files for each new connection. Connections already
/// open keep the material they were opened with.
public final class TLSIdentity: Sendable {
    /// The files this identity reads.
    public let files: TLSFiles
    private let state: NIOLockedValueBox<Loaded>

    /// Loaded files and the contexts made from them.
    struct Loaded {
        var stamp: [Date]
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey?
        var trusted: [NIOSSLCertificate]
        var server: [Bool: NIOSSLContext] = [:]
        var client: NIOSSLContext?
    }

    /// Loads `files`; throws a `CertificateError` naming the file that is missing or not PEM.
    public init(files: TLSFiles) throws {
        self.files = files
        state = NIOLockedValueBox(try Self.load(files))
    }

    /// Reads the files again when one changed since the last load; a failed reload keeps the
    /// previous material and throws (the caller logs it). Returns true when new material was loaded.
    @discardableResult
    public func reloadIfChanged() throws -> Bool {
        let stamp = Self.stamp(files)
        if state.withLockedValue({ $0.stamp == stamp }) { return false }
        let loaded = try Self.load(files)
        state.withLockedValue { $0 = loaded }
        return true
    }

    /// A server configuration; with `requireClientCertificate` a client must present a
    /// certificate issued by the CA in `files.ca` (mutual TLS). The certificate and key are
    /// read again on each handshake when their files changed.
    public func serverConfiguration(requireClientCertificate: Bool) throws -> TLSConfiguration {
        try files.checkServer("server")
        let loaded = state.withLockedValue { $0 }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: loaded.chain.map { .certificate($0) }, privateKey: .privateKey(loaded.key!))
        if requireClientCertificate {
            guard !loaded.trusted.isEmpty else {
                throw CertificateError("mutual TLS needs the CA certificate that issued the peers' certificates (ca)")
            }
            configuration.trustRoots = .certificates(loaded.trusted)
            configuration.certificateVerification = .noHostnameVerification
        }
        configuration.sslContextCallback = { [self] _, promise in
            do {
                try reloadIfChanged()
            } catch {
                // Keep serving with the material loaded last; the files are being replaced.
            }
            let current = state.withLockedValue { $0 }
            var override = NIOSSLContextConfigurationOverride()
            override.certificateChain = current.chain.map { .certificate($0) }
            override.privateKey = current.key.map { .privateKey($0) }
            promise.succeed(override)
        }
        return configuration
    }

    /// A client configuration: trusts `files.ca` (or the system's roots without one), verifies
    /// the server's name, and presents the certificate when there is one.
    public func clientConfiguration() -> TLSConfiguration {
        let loaded = state.withLockedValue { $0 }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if !loaded.trusted.isEmpty { configuration.trustRoots = .certificates(loaded.trusted) }
        if let key = loaded.key {
            configuration.certificateChain = loaded.chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
        }
        return configuration
    }

    /// A server context made from the current files (see `serverConfiguration`).
    public func serverContext(requireClientCertificate: Bool) throws -> NIOSSLContext {
        _ = try? reloadIfChanged()
        if let context = state.withLockedValue({ $0.server[requireClientCertificate] }) { return context }
        let context = try NIOSSLContext(configuration: serverConfiguration(requireClientCertificate: requireClientCertificate))
        state.withLockedValue { $0.server[requireClientCertificate] = context }
        return context
    }

    /// A client context made from the current files.
    public func clientContext() throws -> NIOSSLContext {
        _ = try? reloadIfChanged()
        if let context = state.withLockedValue({ $0.client }) { return context }
        let context = try NIOSSLContext(configuration: clientConfiguration())
        state.withLockedValue { $0.client = context }
        return context
    }

    // MARK: - Loading

    static func stamp(_ files: TLSFiles) -> [Date] {
        files.paths.map { path in
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? .distantPast
        }
    }

    static func load(_ files: TLSFiles) throws -> Loaded {
        let stamp = stamp(files)
        var chain: [NIOSSLCertificate] = []
        var key: NIOSSLPrivateKey?
        var trusted: [NIOSSLCertificate] = []
        if let path = files.certificate {
            chain = try read(path, "certificate") { try NIOSSLCertificate.fromPEMFile(path) }
            if chain.isEmpty { throw CertificateError("the certificate file '\(path)' holds no PEM certificate") }
        }
        if let path = files.key {
            key = try read(path, "key") { try NIOSSLPrivateKey(file: path, format: .pem) }
        }
        if let path = files.ca {
            trusted = try read(path, "CA certificate") { try NIOSSLCertificate.fromPEMFile(path) }
            if trusted.isEmpty { throw CertificateError("the CA file '\(path)' holds no PEM certificate") }
        }
        return Loaded(stamp: stamp, chain: chain, key: key, trusted: trusted)
    }

    private static func read<T>(_ path: String, _ what: String, _ body: () throws -> T) throws -> T {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw CertificateError("the TLS \(what) file '\(path)' does not exist or cannot be read")
        }
        do {
            return try body()
        } catch {
            throw CertificateError("the TLS \(what) file '\(path)' is not a valid PEM \(what): \(error)")
        }
    }
}
