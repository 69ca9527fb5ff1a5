import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority in a directory, for a development or test cluster: `ca.pem` (its
/// certificate) and `ca-key.pem` (its private key, mode 0600), both PEM. It issues node
/// certificates that serve TLS and authenticate as TLS clients (mutual TLS between masters),
/// with the host names and addresses a node is reached by. Keys are ECDSA P-256, signatures
/// ECDSA with SHA-256.
public struct DevelopmentCA {
    /// The directory holding the CA's files and the certificates it issued.
    public let directory: String
    /// The CA's certificate.
    public let certificate: Certificate
    private let key: Certificate.PrivateKey

    /// Where the CA certificate lives in `directory`.
    public static func certificatePath(_ directory: String) -> String { directory + "/ca.pem" }
    /// Where the CA key lives in `directory`.
    public static func keyPath(_ directory: String) -> String { directory + "/ca-key.pem" }

    /// Makes a new CA named `name`, valid for `days`, in `directory` (created if missing).
    /// Refuses to replace a CA already there: every certificate it issued would stop working.
    public static func create(in directory: String, name: String, days: Int) throws -> DevelopmentCA {
        guard days > 0 else { throw CertificateError("--days must be at least 1") }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for path in [certificatePath(directory), keyPath(directory)] where FileManager.default.fileExists(atPath: path) {
            throw CertificateError(
                "\(path) already exists: a CA is there, and replacing it would invalidate every certificate it issued; remove it first or use another --dir")
        }
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let subject = try DistinguishedName {
            OrganizationName("Corral")
            CommonName(name)
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now - 300, notValidAfter: now + Double(days) * 86_400,
            issuer: subject, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
        try PEMFile.write(try key.serializeAsPEM().pemString, to: keyPath(directory), mode: 0o600)
        try PEMFile.write(try certificate.serializeAsPEM().pemString, to: certificatePath(directory), mode: 0o644)
        return DevelopmentCA(directory: directory, certificate: certificate, key: key)
    }

    /// The CA in `directory`, as `create` left it.
    public static func load(from directory: String) throws -> DevelopmentCA {
        let certificate = try Certificate(pemEncoded: try PEMFile.read(certificatePath(directory), what: "CA certificate"))
        let key = try Certificate.PrivateKey(pemEncoded: try PEMFile.read(keyPath(directory), what: "CA key"))
        guard key.publicKey == certificate.publicKey else {
            throw CertificateError("\(keyPath(directory)) is not the key of \(certificatePath(directory))")
        }
        return DevelopmentCA(directory: directory, certificate: certificate, key: key)
    }

    /// Issues a certificate for `name`, reached as `hosts` (DNS names or IP addresses), valid for
    /// `days`, for TLS servers and clients both; writes `<name>.pem` (the certificate, then the
    /// CA's: a chain) and `<name>-key.pem` (mode 0600) in the CA's directory and returns their paths.
    public func issue(name: String, hosts: [String], days: Int) throws -> (certificate: String, key: String) {
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw CertificateError("'\(name)' is not a usable name: letters, digits, '-', '_' and '.' only")
        }
        guard days > 0 else { throw CertificateError("--days must be at least 1") }
        guard !hosts.isEmpty else {
            throw CertificateError("give at least one --host (a DNS name or IP address the node is reached by)")
        }
        let names = try hosts.map(Self.generalName)
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now - 300, notValidAfter: now + Double(days) * 86_400,
            issuer: self.certificate.subject,
            subject: try DistinguishedName {
                OrganizationName("Corral")
                CommonName(name)
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames(names)
                SubjectKeyIdentifier(hash: key.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: self.certificate.publicKey).keyIdentifier)
            },
            issuerPrivateKey: self.key)
        let certificatePath = directory + "/\(name).pem"
        let keyPath = directory + "/\(name)-key.pem"
        try PEMFile.write(try key.serializeAsPEM().pemString, to: keyPath, mode: 0o600)
        let chain = try certificate.serializeAsPEM().pemString + "\n" + self.certificate.serializeAsPEM().pemString
        try PEMFile.write(chain, to: certificatePath, mode: 0o644)
        return (certificatePath, keyPath)
    }

    /// An IP address (v4 or v6) or a DNS name, as a subject alternative name.
    static func generalName(_ host: String) throws -> GeneralName {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v4) { ArraySlice($0) }))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return .ipAddress(ASN1OctetString(contentBytes: withUnsafeBytes(of: &v6) { ArraySlice($0) }))
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard !host.isEmpty, host.count <= 253,
            labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "*" } })
        else {
            throw CertificateError("--host '\(host)' is neither an IP address nor a DNS name")
        }
        return .dnsName(host)
    }
}

/// A certificate tool's refusal, said plainly.
public struct CertificateError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reading and writing PEM files.
enum PEMFile {
    /// Writes `text` to a new file at `path` with `mode`, replacing none.
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CertificateError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, link(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CertificateError("cannot write \(path): \(reason)")
        }
        unlink(temporary)
    }

    /// The text of the PEM file at `path`; `what` names it in errors.
    static func read(_ path: String, what: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CertificateError("cannot read the \(what) at \(path); make a CA with `corral certs init --dir DIR` first")
        }
        return text
    }
}
