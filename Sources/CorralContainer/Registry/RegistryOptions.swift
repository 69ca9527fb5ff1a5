/// How Corral talks to a registry.
public struct RegistryOptions: Sendable {
    /// Allow plain HTTP; without it every request uses HTTPS.
    public var insecure: Bool
    /// Credentials for HTTP basic authentication or for the registry's token server.
    public var credentials: RegistryCredentials?
    /// Seconds a request may stay idle before it fails.
    public var timeout: Double
    /// Blobs larger than this are pushed in `PATCH` chunks of this many bytes.
    public var chunkSize: Int64
    /// Told how far each blob's transfer has got: the blob and the bytes moved so far.
    public var progress: (@Sendable (Descriptor, Int64) -> Void)?
    /// A PEM file of the certificate authorities to trust for HTTPS, instead of the system's
    /// (a registry with a certificate from a private CA, or self-signed).
    public var caCertificate: String?

    /// Options for a registry reached over HTTPS unless `insecure`.
    public init(
        insecure: Bool = false,
        credentials: RegistryCredentials? = nil,
        timeout: Double = 60,
        chunkSize: Int64 = 32 << 20,
        progress: (@Sendable (Descriptor, Int64) -> Void)? = nil,
        caCertificate: String? = nil
    ) {
        self.caCertificate = caCertificate
        self.insecure = insecure
        self.credentials = credentials
        self.timeout = timeout
        self.chunkSize = chunkSize
        self.progress = progress
    }
}
