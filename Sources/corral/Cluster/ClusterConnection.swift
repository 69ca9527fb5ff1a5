import CorralMaster
import CorralModel
import CorralScheduler
import CorralSecurity
import Foundation

/// The CLI's way to the cluster: any master that answers sends it on to the leader (307), so
/// the masters are tried in order until one answers; "no master answers" and "no leader is
/// elected" are told apart.
struct ClusterConnection: Sendable {
    let masters: [String]
    var client = MasterClient(timeoutSeconds: 5)
    /// What the CLI authenticates with (`--principal`/`--secret-file`, `--token-file`).
    var credentials: ClientCredentials?

    /// Sends a request to the leader through the first master that answers, following its
    /// redirects (307 to the leader) here so that a master naming an unreachable leader is
    /// told apart from a master that does not answer.
    func send(_ method: String, _ path: String, body: [UInt8] = []) throws(ClusterError) -> MasterClient.Response {
        var unreachable: [String] = []
        var noLeader: [String] = []
        var mismatched: [String] = []
        for master in masters {
            var target = (master, path)
            var hops = 0
            while true {
                let response: MasterClient.Response
                do {
                    response = try client.once(method, target.0, target.1, body: body)
                } catch {
                    if Self.isSchemeMismatch(error) {
                        mismatched.append(error.message)
                    } else if hops == 0 { unreachable.append(error.message) } else { noLeader.append("\(master) names \(target.0) as the leader, which does not answer") }
                    break
                }
                if response.status == 503 {
                    noLeader.append("\(target.0): \(Self.message(response))")
                    break
                }
                guard response.status == 307 || response.status == 308, hops < 5, let location = response.headers["location"],
                    let next = Self.split(location)
                else { return response }
                target = next
                hops += 1
            }
        }
        if let first = mismatched.first, noLeader.isEmpty {
            throw ClusterError("cannot talk to the masters: \(first)", kind: .noMaster)
        }
        if !noLeader.isEmpty {
            throw ClusterError(
                "no leader is elected (\(noLeader.joined(separator: "; "))). A quorum needs a majority of its masters "
                    + "running; start the stopped ones (or wait a second after a fail-over) and try again", kind: .noLeader)
        }
        throw ClusterError(
            "no master answers at \(masters.joined(separator: ", ")) (\(unreachable.first ?? "")). Start a cluster with "
                + "`corral up`, or name its masters with --masters host:port,… or CORRAL_MASTERS", kind: .noMaster)
    }

    /// Whether `error` says TLS failed (an untrusted certificate, one side not speaking TLS)
    /// or a plain-HTTP request met an HTTPS server: retrying elsewhere will not help.
    static func isSchemeMismatch(_ error: MasterError) -> Bool {
        (error.underlying as? SchedulerError)?.isTLSFailure == true || error.message.contains("if it serves HTTPS")
    }

    /// `//host:port/path?query` or `http://host:port/path` as (host:port, path).
    static func split(_ location: String) -> (String, String)? {
        var rest = Substring(location)
        for scheme in ["http://", "https://", "//"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            break
        }
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty else { return nil }
        let path = rest.dropFirst(authority.count)
        return (String(authority), path.isEmpty ? "/" : String(path))
    }

    /// `GET path` on the leader as JSON.
    func get(_ path: String) throws(ClusterError) -> JSONValue {
        let response = try send("GET", path)
        guard response.status == 200 else {
            throw ClusterError("GET \(path) answered \(response.status): \(Self.message(response))")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(response.body))
        } catch {
            throw ClusterError("GET \(path) answered malformed JSON: \(error)")
        }
    }

    /// An operator API call (`POST /api/v1`).
    func call(_ body: JSONValue) throws(ClusterError) -> MasterClient.Response {
        try send("POST", "/api/v1", body: body.encoded)
    }

    /// Checks that a leader answers (a small read it serves), so a command fails at once,
    /// in plain words, when none does.
    func requireLeader() throws(ClusterError) {
        let response = try send("GET", "/master/weights")
        guard response.status == 200 else {
            throw ClusterError("the leader answered \(response.status): \(Self.message(response))")
        }
    }

    /// `requireLeader`, waiting up to `seconds` while the masters answer but none leads (an
    /// election after a fail-over takes about a second); no master answering fails at once.
    func awaitLeader(seconds: Double, waiting: () -> Void) throws(ClusterError) {
        let deadline = Date().addingTimeInterval(seconds)
        var told = false
        while true {
            do {
                return try requireLeader()
            } catch where error.kind == .noLeader && Date() < deadline {
                if !told { waiting() }
                told = true
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    /// What an error answer says: its `message` field, or the body.
    static func message(_ response: MasterClient.Response) -> String {
        if let value = try? JSONDecoder().decode(JSONValue.self, from: Data(response.body)), let message = value["message"]?.text {
            return message
        }
        let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "HTTP \(response.status)" : text
    }
}

/// Runs blocking work (the HTTP client's calls) on a global queue, off the cooperative pool.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
