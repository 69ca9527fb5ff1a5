import ArgumentParser
import CorralMaster
import CorralScheduler
import CorralSecurity
import Foundation

/// The options every cluster command takes: where the masters are, the CA to trust when
/// they serve HTTPS, and JSON output.
struct ClusterOptions: ParsableArguments {
    /// Where `corral up` puts its masters' HTTP ports by default (3 or 5 masters).
    static let upDefault = (5051...5055).map { "127.0.0.1:\($0)" }

    @Option(
        help: "Masters as host:port[,host:port…] (https://host:port for an HTTPS cluster); any of them finds the leader. Default: $CORRAL_MASTERS, else corral up's 127.0.0.1:5051-5055."
    )
    var masters: String?

    @Option(
        help: "The cluster's CA certificate (PEM) to trust for HTTPS; the masters and agents are then reached over HTTPS. Default: $CORRAL_CA_CERT."
    )
    var caCert: String?

    @Flag(help: "Print machine-readable JSON instead of text.") var json = false

    @Option(help: "The principal to authenticate as (with --secret-file), for masters started with --credentials.")
    var principal: String?
    @Option(help: "A file holding the secret of --principal.") var secretFile: String?
    @Option(help: "A file holding a bearer token (JWT); default: $CORRAL_TOKEN.") var tokenFile: String?

    /// The credentials the options name (or `CORRAL_TOKEN`); nil: none.
    func credentials() throws -> ClientCredentials? {
        do {
            return try ClientCredentials.from(principal: principal, secretFile: secretFile, tokenFile: tokenFile)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The master list from `--masters`, `$CORRAL_MASTERS` or `corral up`'s defaults; entries
    /// keep an `https://` or `http://` they were given with.
    func endpoints() throws -> [String] {
        let text = masters ?? ProcessInfo.processInfo.environment["CORRAL_MASTERS"]
        guard let text else { return Self.upDefault }
        let list = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        guard !list.isEmpty else {
            throw ValidationError("the master list is empty; give --masters host:port[,host:port…] or set CORRAL_MASTERS")
        }
        var schemes: Set<String> = []
        for entry in list {
            let (scheme, bare) = MasterScheme.split(entry)
            if let scheme { schemes.insert(scheme) }
            guard let colon = bare.lastIndex(of: ":"), !bare[..<colon].isEmpty, let port = Int(bare[bare.index(after: colon)...]),
                (1...65535).contains(port)
            else {
                throw ValidationError("master \"\(entry)\" is not host:port (e.g. 127.0.0.1:5051 or https://127.0.0.1:5051)")
            }
        }
        if schemes.count > 1 { throw ValidationError("the masters mix http:// and https://; a cluster serves one of them") }
        if schemes.first == "http", caFile != nil {
            throw ValidationError("--ca-cert is for HTTPS, but the masters are http://; write them https://host:port")
        }
        return list
    }

    /// The CA file from `--ca-cert` or `$CORRAL_CA_CERT`.
    var caFile: String? {
        let file = caCert ?? ProcessInfo.processInfo.environment["CORRAL_CA_CERT"]
        return file?.isEmpty == true ? nil : file
    }

    /// TLS for the masters and agents: set when a CA is given or a master is `https://`
    /// (then the system's CAs are trusted without `--ca-cert`); nil for plain HTTP.
    func tls() throws -> TLSIdentity? {
        let list = try endpoints()
        guard caFile != nil || list.contains(where: { MasterScheme.split($0).scheme == "https" }) else { return nil }
        do {
            return try TLSIdentity(files: TLSFiles(ca: caFile))
        } catch {
            throw ValidationError("--ca-cert: \(error)")
        }
    }

    /// The CA and client certificate files for the scheduler SDK (`corral run`), as `tls()` decides.
    func tlsFiles() throws -> TLSFiles? { try tls()?.files }

    /// A connection to the masters.
    func connect() throws -> ClusterConnection {
        var connection = ClusterConnection(masters: try endpoints(), client: MasterClient(timeoutSeconds: 5, tls: try tls()))
        let credentials = try credentials()
        connection.client.authorization = credentials?.authorization
        connection.credentials = credentials
        return connection
    }
}
