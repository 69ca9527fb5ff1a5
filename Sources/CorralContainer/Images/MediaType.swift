/// The media types the store accepts, OCI and the Docker ones skopeo may produce.
public enum MediaType {
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociNondistributableLayer = "application/vnd.oci.image.layer.nondistributable.v1.tar"
    public static let ociNondistributableLayerGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    public static let dockerLayer = "application/vnd.docker.image.rootfs.diff.tar"

    /// How a layer blob is compressed.
    enum Compression { case none, gzip }

    /// The compression of a layer media type, or nil when it is not a layer type the store handles.
    static func layerCompression(_ type: String) -> Compression? {
        switch type {
        case ociLayer, ociNondistributableLayer, dockerLayer: return Compression.none
        case ociLayerGzip, ociNondistributableLayerGzip, dockerLayerGzip, dockerForeignLayerGzip: return .gzip
        default: return nil
        }
    }

    public static let manifests: Set<String> = [ociManifest, dockerManifest]
    public static let indexes: Set<String> = [ociIndex, dockerManifestList]
    public static let configs: Set<String> = [ociConfig, dockerConfig]
}
