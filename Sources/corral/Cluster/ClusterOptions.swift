import ArgumentParser
import CorralSecurity
import Foundation

/// The options every cluster command takes: where the masters are, and JSON output.
struct ClusterOptions: ParsableArguments {
    /// Where `corral up` puts its masters' HTTP ports by default (3 or 5 masters).
    static let upDefault = (5051...5055).map { "127.0.0.1:\($0)" }

    @Option(help: "Masters as host:port[,host:port…]; any of them finds the leader. Default: $CORRAL_MASTERS, else corral up's 127.0.0.1:5051-5055.")
    var masters: String?

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

    /// The master list from `--masters`, `$CORRAL_MASTERS` or `corral up`'s defaults.
    func endpoints() throws -> [String] {
        let text = masters ?? ProcessInfo.processInfo.environment["CORRAL_MASTERS"]
        guard let text else { return Self.upDefault }
        let list = text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        guard !list.isEmpty else {
            throw ValidationError("the master list is empty; give --masters host:port[,host:port…] or set CORRAL_MASTERS")
        }
        for entry in list {
            guard let colon = entry.lastIndex(of: ":"), !entry[..<colon].isEmpty, let port = Int(entry[entry.index(after: colon)...]),
                (1...65535).contains(port)
            else {
                throw ValidationError("master \"\(entry)\" is not host:port (e.g. 127.0.0.1:5051)")
            }
        }
        return list
    }

    /// A connection to the masters.
    func connect() throws -> ClusterConnection {
        var connection = ClusterConnection(masters: try endpoints())
        connection.client.authorization = try credentials()?.authorization
        connection.credentials = try credentials()
        return connection
    }
}
