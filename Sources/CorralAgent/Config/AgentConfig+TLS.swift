import CorralScheduler
import CorralSecurity

extension AgentConfig {
    /// `masters` without the `http://` / `https://` its entries may start with, and that
    /// scheme (nil when none says one). All entries must say the same.
    static func splitSchemes(_ text: String) throws(AgentConfigError) -> (masters: String, scheme: String?) {
        var schemes: Set<String> = []
        var entries: [String] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let (scheme, entry) = MasterScheme.split(item.trimmed)
            if let scheme { schemes.insert(scheme) }
            entries.append(entry)
        }
        if schemes.count > 1 {
            throw AgentConfigError(
                field: "masters", "\"\(text)\" mixes http:// and https://; a cluster's masters all serve HTTPS or all plain HTTP")
        }
        return (entries.joined(separator: ","), schemes.first)
    }

    /// The `[tls]` files of `settings`, checked against the masters' scheme: a cluster is
    /// HTTPS or plain HTTP throughout (the masters reach agents over HTTPS when they serve it).
    static func tlsFiles(_ settings: AgentSettings, mastersScheme: String?) throws(AgentConfigError) -> TLSFiles? {
        func blank(_ value: String?) -> Bool { value.map { Substring($0).trimmed.isEmpty } ?? true }
        let certificate = settings.tlsCertificate, key = settings.tlsKey, ca = settings.tlsCA
        if blank(certificate) != blank(key) {
            throw AgentConfigError(
                field: blank(certificate) ? "tls.certificate" : "tls.key",
                "is missing: HTTPS needs both a certificate and its key (--tls-cert and --tls-key; "
                    + "`corral certs issue --dir DIR NAME --host ADDRESS` makes them)")
        }
        guard !blank(certificate) else {
            if mastersScheme == "https" {
                throw AgentConfigError(
                    field: "tls.certificate",
                    "is missing: the masters are https://, and in an HTTPS cluster agents serve HTTPS too (the masters and the "
                        + "CLI reach them over it); give --tls-cert and --tls-key (and --tls-ca, the cluster's CA)")
            }
            if !blank(ca) {
                throw AgentConfigError(field: "tls.ca", "is given without --tls-cert and --tls-key; give all three for an HTTPS cluster")
            }
            return nil
        }
        if mastersScheme == "http" {
            throw AgentConfigError(
                field: "masters",
                "are http://, but the agent serves HTTPS (--tls-cert); in an HTTPS cluster the masters serve HTTPS too: "
                    + "write them https://HOST:PORT")
        }
        return TLSFiles(certificate: certificate, key: key, ca: blank(ca) ? nil : ca)
    }
}
