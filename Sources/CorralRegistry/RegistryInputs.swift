/// The registry's parsers of request parts, opened to the fuzz harness (`corral fuzz`).
public enum RegistryInputs {
    /// Parses a request path, query and upload headers as `corral registry serve` does;
    /// returns whether the path names a registry route. Throws the registry's refusal.
    public static func parseRequest(path: String, query: String, contentRange: String?, contentLength: String?) throws
        -> Bool
    {
        _ = QueryParameters(query)
        _ = try ChunkBounds.limit(uploaded: 0, contentRange: contentRange, contentLength: contentLength)
        return try RegistryRoute.parse(path) != nil
    }

    /// Parses a pushed manifest with its `Content-Type`, as a manifest PUT does.
    public static func parseManifest(_ bytes: [UInt8], contentType: String?) throws {
        _ = try ManifestDocument(bytes, contentType: contentType)
    }
}
