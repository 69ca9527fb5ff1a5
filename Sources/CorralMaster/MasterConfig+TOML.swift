import CorralModel
import CorralSecurity
import CorralReplication
import Foundation
import TOMLKit

extension MasterConfig {
    /// The file layout; every key is optional so flags can fill the gaps.
    fileprivate struct File: Decodable {
        struct Peer: Decodable {
            var id: ConfigUnsigned
            var raft: String
            var http: String
        }
        struct Timing: Decodable {
            var tick_ms: Int?
            var heartbeat_ticks: Int?
            var election_ticks: Int?
            var outcome_wait_ms: Int?
            var state_store_ms: Int?
        }
        struct Log: Decodable {
            var snapshot_every_entries: ConfigUnsigned?
            var trailing_entries: ConfigUnsigned?
            var max_frame_bytes: Int?
            var max_store_bytes: Int?
        }
        struct Scheduling: Decodable {
            var policy: String?
            var priorities: [String: Int]?
            var allocation_interval_ms: Int?
            var offer_timeout_seconds: ConfigSeconds?
            var heartbeat_interval_seconds: ConfigSeconds?
            var agent_heartbeat_seconds: ConfigSeconds?
            var agent_timeout_seconds: ConfigSeconds?
            var failover_grace_seconds: ConfigSeconds?
            var update_retry_seconds: ConfigSeconds?
        }
        struct TLS: Decodable {
            var certificate: String?
            var key: String?
            var ca: String?
        }
        struct Auth: Decodable {
            var credentials: String?
            var jwt_hmac_secret_file: String?
            var jwt_rsa_public_key: String?
            var acls: String?
        }
        struct Limits: Decodable {
            var max_body_bytes: Int?
            var scheduler_max_body_bytes: Int?
            var operator_max_body_bytes: Int?
            var agent_max_body_bytes: Int?
            var requests_per_second: ConfigSeconds?
            var burst: Int?
            var max_scheduler_subscribers: Int?
            var max_operator_subscribers: Int?
            var max_connections: Int?
            var header_timeout_seconds: ConfigSeconds?
            var body_timeout_seconds: ConfigSeconds?
        }
        var cluster_id: String?
        var node_id: ConfigUnsigned?
        var data_dir: String?
        var raft_listen: String?
        var http_listen: String?
        var join: Bool?
        var peers: [Peer]?
        var timing: Timing?
        var log: Log?
        var scheduling: Scheduling?
        var tls: TLS?
        var auth: Auth?
        var limits: Limits?
    }

    /// Reads a TOML config file. Relative `data_dir` paths are taken from the current directory.
    public static func load(path: String) throws(MasterError) -> MasterConfig {
        let text: String
        guard FileManager.default.fileExists(atPath: path) else {
            throw MasterError(
                code: .badConfig,
                message: "the config file \(path) does not exist; give a TOML file such as Configs/three-node/master-1.toml")
        }
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw MasterError(
                code: .badConfig, message: "cannot read the config file \(path): \(error.localizedDescription) (is it a readable UTF-8 text file?)")
        }
        return try parse(text, source: path)
    }

    public static func parse(_ text: String, source: String = "config") throws(MasterError) -> MasterConfig {
        if let problem = TOMLAbortGuard.problem(in: text) {
            throw MasterError(code: .badConfig, message: "\(source) is not valid TOML: \(problem)")
        }
        let file: File
        do {
            file = try TOMLDecoder().decode(File.self, from: text)
        } catch let error as TOMLParseError {
            throw MasterError(code: .badConfig, message: "\(source) is not valid TOML: \(error.debugDescription)")
        } catch let error as DecodingError {
            throw MasterError(code: .badConfig, message: describe(error, text: text, source: source))
        } catch {
            throw MasterError(code: .badConfig, message: "\(source) could not be read", underlying: error)
        }
        var config = MasterConfig()
        if let value = file.cluster_id { config.clusterID = value }
        if let value = file.node_id?.value { config.nodeID = value }
        if let value = file.data_dir { config.dataDirectory = value }
        if let value = file.raft_listen { config.raftListen = try address(value, key: "raft_listen", source) }
        if let value = file.http_listen { config.httpListen = try address(value, key: "http_listen", source) }
        if let value = file.join { config.join = value }
        if let peers = file.peers {
            config.peers = try peers.map { peer throws(MasterError) in
                Peer(
                    id: peer.id.value,
                    raft: try address(peer.raft, key: "peers.raft", source),
                    http: try address(peer.http, key: "peers.http", source))
            }
        }
        if let timing = file.timing {
            if let value = timing.tick_ms { config.tickMilliseconds = value }
            if let value = timing.heartbeat_ticks { config.heartbeatTicks = value }
            if let value = timing.election_ticks { config.electionTicks = value }
            if let value = timing.outcome_wait_ms { config.outcomeWaitMilliseconds = value }
            if let value = timing.state_store_ms { config.stateStoreMilliseconds = value }
        }
        if let log = file.log {
            if let value = log.snapshot_every_entries?.value { config.snapshotEveryEntries = value }
            if let value = log.trailing_entries?.value { config.trailingEntries = value }
            if let value = log.max_frame_bytes { config.maxFrameBytes = value }
            if let value = log.max_store_bytes { config.maxStoreBytes = value }
        }
        if let scheduling = file.scheduling {
            if let value = scheduling.policy { config.scheduling.policy = value }
            if let value = scheduling.priorities { config.scheduling.priorities = value }
            if let value = scheduling.allocation_interval_ms { config.scheduling.allocationIntervalMilliseconds = value }
            if let value = scheduling.offer_timeout_seconds?.value { config.scheduling.offerTimeoutSeconds = value }
            if let value = scheduling.heartbeat_interval_seconds?.value { config.scheduling.heartbeatIntervalSeconds = value }
            if let value = scheduling.agent_heartbeat_seconds?.value { config.scheduling.agentHeartbeatSeconds = value }
            if let value = scheduling.agent_timeout_seconds?.value { config.scheduling.agentTimeoutSeconds = value }
            if let value = scheduling.failover_grace_seconds?.value { config.scheduling.failoverGraceSeconds = value }
            if let value = scheduling.update_retry_seconds?.value { config.scheduling.updateRetrySeconds = value }
        }
        if let limits = file.limits { config.limits.apply(limits) }
        if let tls = file.tls {
            config.tls = TLSFiles(certificate: tls.certificate, key: tls.key, ca: tls.ca)
        }
        if let auth = file.auth {
            config.authentication = HTTPAuthenticator.Settings(
                credentials: auth.credentials, jwtHMACSecretFile: auth.jwt_hmac_secret_file, jwtRSAPublicKey: auth.jwt_rsa_public_key)
            config.aclsFile = auth.acls
        }
        return config
    }

    static func address(_ text: String, key: String, _ source: String) throws(MasterError) -> PeerAddress {
        guard let address = PeerAddress(text) else {
            throw MasterError(code: .badConfig, message: "\(source): \(key) = \"\(text)\" is not host:port")
        }
        return address
    }

    /// What a decoding error was about, where (file, line, key) and what belongs there.
    private static func describe(_ error: DecodingError, text: String, source: String) -> String {
        func names(_ path: [any CodingKey]) -> [String] { path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue } }
        let path: [String]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = names(context.codingPath)
        case .keyNotFound(let key, let context):
            // TOMLKit puts the key in the path already; Foundation's decoders do not.
            path = names(context.codingPath).last == key.stringValue ? names(context.codingPath) : names(context.codingPath) + [key.stringValue]
        @unknown default:
            return "\(source): \(error)"
        }
        let key = path.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        guard let found = TOMLKeyLine.find(path, in: text) else {
            return "\(source): \(key) is missing; it should be \(expected(path)) (see Configs/README.md)"
        }
        // Every key is optional, so TOMLKit's "key not found" for a key that is there means a
        // value of the wrong type.
        return "\(source) line \(found.line): \(key) = \(found.value) should be \(expected(path)) (see Configs/README.md)"
    }

    /// What the key at `path` holds, in words.
    private static func expected(_ path: [String]) -> String {
        let key = path.last ?? ""
        switch key {
        case "cluster_id", "data_dir", "policy", "certificate", "key", "ca", "credentials", "jwt_hmac_secret_file", "jwt_rsa_public_key", "acls": return "a string in quotes"
        case "raft_listen", "http_listen", "raft", "http": return "a string \"HOST:PORT\""
        case "join": return "true or false"
        case "peers": return "[[peers]] tables with id, raft and http"
        case "requests_per_second": return "a number (e.g. 50 or 0.5; 0: no limit)"
        case "timing", "log", "scheduling", "tls", "auth", "limits": return "a table [\(key)]"
        case "priorities": return "a table of role = whole number"
        default: return key.hasSuffix("_seconds") ? "a number of seconds (e.g. 5 or 0.5)" : "a whole number"
        }
    }
}

extension MasterLimits {
    /// Takes the keys the `[limits]` table sets.
    fileprivate mutating func apply(_ table: MasterConfig.File.Limits) {
        if let value = table.max_body_bytes { maxBodyBytes = value }
        if let value = table.scheduler_max_body_bytes { familyBodyBytes[.scheduler] = value }
        if let value = table.operator_max_body_bytes { familyBodyBytes[.`operator`] = value }
        if let value = table.agent_max_body_bytes { familyBodyBytes[.agent] = value }
        if let value = table.requests_per_second?.value { requestsPerSecond = value }
        if let value = table.burst { burst = value }
        if let value = table.max_scheduler_subscribers { maxSchedulerSubscribers = value }
        if let value = table.max_operator_subscribers { maxOperatorSubscribers = value }
        if let value = table.max_connections { maxConnections = value }
        if let value = table.header_timeout_seconds?.value { headerTimeoutSeconds = value }
        if let value = table.body_timeout_seconds?.value { bodyTimeoutSeconds = value }
    }
}
