import CorralSecurity

extension SchedulerClient {
    /// The masters of `configuration` and, when they serve HTTPS (an `https://` address, or
    /// `tls` set), the TLS identity to reach them with.
    static func masters(_ configuration: SchedulerConfiguration) throws -> ([MasterAddress], TLSIdentity?) {
        var masters: [MasterAddress] = []
        var schemes: Set<String> = []
        for text in configuration.masters {
            var rest = Substring(text)
            for scheme in ["http", "https"] where rest.lowercased().hasPrefix("\(scheme)://") {
                schemes.insert(scheme)
                rest = rest.dropFirst(scheme.count + 3)
                if rest.hasSuffix("/") { rest = rest.dropLast() }
            }
            guard let address = MasterAddress(String(rest)) else {
                throw SchedulerError(.invalidArgument, "master \"\(text)\" is not host:port (or https://host:port)")
            }
            masters.append(address)
        }
        guard !masters.isEmpty else { throw SchedulerError(.invalidArgument, "the master list is empty") }
        if schemes.count > 1 {
            throw SchedulerError(.invalidArgument, "the masters mix http:// and https://; a cluster's masters all serve one of them")
        }
        if schemes.first == "http", configuration.tls != nil {
            throw SchedulerError(.invalidArgument, "the masters are http:// but TLS files are given; write them https://host:port")
        }
        guard schemes.first == "https" || configuration.tls != nil else { return (masters, nil) }
        do {
            return (masters, try TLSIdentity(files: configuration.tls ?? TLSFiles()))
        } catch {
            throw SchedulerError(.invalidArgument, "cannot use the TLS files for the masters: \(error)")
        }
    }
}
