import CorralModel
import Foundation
import TOMLKit

extension AgentSettings {
    /// The file layout: the flags' names in snake case, timing under `[timing]`.
    private struct File: Decodable {
        struct Timing: Decodable {
            var connect_timeout_ms: Int?
            var request_timeout_ms: Int?
            var master_silence_seconds: ConfigSeconds?
            var registration_backoff_ms: Int?
            var registration_backoff_max_ms: Int?
            var disk_watch_interval_seconds: ConfigSeconds?
        }
        struct TLS: Decodable {
            var certificate: String?
            var key: String?
            var ca: String?
        }
        var masters: Masters?
        var work_dir: String?
        var runtime_dir: String?
        var resources: String?
        var revocable_resources: String?
        var attributes: String?
        var hostname: String?
        var http_listen: String?
        var timing: Timing?
        var tls: TLS?
    }

    /// The keys a file may hold; any other is a typo the agent refuses rather than ignores.
    private static let keys: Set<String> = [
        "masters", "work_dir", "runtime_dir", "resources", "revocable_resources", "attributes", "hostname", "http_listen", "timing",
        "tls",
    ]
    private static let tlsKeys: Set<String> = ["certificate", "key", "ca"]
    private static let timingKeys: Set<String> = [
        "connect_timeout_ms", "request_timeout_ms", "master_silence_seconds", "registration_backoff_ms",
        "registration_backoff_max_ms", "disk_watch_interval_seconds",
    ]

    /// `masters = "a:5050,b:5050"` or `masters = ["a:5050", "b:5050"]`.
    private struct Masters: Decodable {
        var text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let list = try? container.decode([String].self) {
                text = list.joined(separator: ",")
            } else {
                text = try container.decode(String.self)
            }
        }
    }

    /// Reads a TOML config file (`Configs/agent.toml` shows every key).
    public static func load(path: String) throws(AgentConfigError) -> AgentSettings {
        let text: String
        guard FileManager.default.fileExists(atPath: path) else {
            throw AgentConfigError(field: "config", "cannot read \(path): it does not exist; give a TOML file such as Configs/agent.toml")
        }
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw AgentConfigError(field: "config", "cannot read \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }

    /// Parses TOML text; errors name `source` and the key.
    public static func parse(_ text: String, source: String = "config") throws(AgentConfigError) -> AgentSettings {
        if let problem = TOMLAbortGuard.problem(in: text) {
            throw AgentConfigError(field: "config", "\(source) is not valid TOML: \(problem)")
        }
        let file: File
        do {
            let table = try TOMLTable(string: text)
            if let unknown = table.keys.sorted().first(where: { !keys.contains($0) }) {
                throw AgentConfigError(field: unknown, "is not a setting of corral agent (see Configs/README.md)")
                    .from(source, line: TOMLKeyLine.find([unknown], in: text)?.line)
            }
            if let timing = table["timing"]?.table,
                let unknown = timing.keys.sorted().first(where: { !timingKeys.contains($0) })
            {
                throw AgentConfigError(field: "timing.\(unknown)", "is not a timing setting (see Configs/README.md)")
                    .from(source, line: TOMLKeyLine.find(["timing", unknown], in: text)?.line)
            }
            if let tls = table["tls"]?.table, let unknown = tls.keys.sorted().first(where: { !tlsKeys.contains($0) }) {
                throw AgentConfigError(field: "tls.\(unknown)", "is not a TLS setting; [tls] holds certificate, key and ca")
                    .from(source, line: TOMLKeyLine.find(["tls", unknown], in: text)?.line)
            }
            file = try TOMLDecoder().decode(File.self, from: table)
        } catch let error as AgentConfigError {
            throw error
        } catch let error as TOMLParseError {
            throw AgentConfigError(field: "config", "\(source) is not valid TOML: \(error.debugDescription)")
        } catch let error as DecodingError {
            throw describe(error, text: text, source: source)
        } catch {
            throw AgentConfigError(field: "config", "\(source) could not be read: \(error)")
        }
        return AgentSettings(
            masters: file.masters?.text,
            workDirectory: file.work_dir,
            runtimeDirectory: file.runtime_dir,
            resources: file.resources,
            revocableResources: file.revocable_resources,
            attributes: file.attributes,
            hostname: file.hostname,
            httpListen: file.http_listen,
            connectTimeoutMilliseconds: file.timing?.connect_timeout_ms,
            requestTimeoutMilliseconds: file.timing?.request_timeout_ms,
            masterSilenceSeconds: file.timing?.master_silence_seconds?.value,
            registrationBackoffMilliseconds: file.timing?.registration_backoff_ms,
            registrationBackoffMaximumMilliseconds: file.timing?.registration_backoff_max_ms,
            diskWatchIntervalSeconds: file.timing?.disk_watch_interval_seconds?.value,
            tlsCertificate: file.tls?.certificate, tlsKey: file.tls?.key, tlsCA: file.tls?.ca)
    }

    /// What each key holds, for the error when a value has the wrong type.
    private static let expected: [String: String] = [
        "masters": "a string \"HOST:PORT,HOST:PORT\" or a list of \"HOST:PORT\" strings",
        "work_dir": "a string", "runtime_dir": "a string", "resources": "a string", "revocable_resources": "a string",
        "attributes": "a string", "hostname": "a string",
        "http_listen": "a string \"HOST:PORT\"", "timing": "a table [timing]",
        "timing.connect_timeout_ms": "an integer (milliseconds)", "timing.request_timeout_ms": "an integer (milliseconds)",
        "timing.master_silence_seconds": "a number (seconds)", "timing.disk_watch_interval_seconds": "a number (seconds)", "timing.registration_backoff_ms": "an integer (milliseconds)",
        "timing.registration_backoff_max_ms": "an integer (milliseconds)",
        "tls": "a table [tls]", "tls.certificate": "a string (a PEM file)", "tls.key": "a string (a PEM file)",
        "tls.ca": "a string (a PEM file)",
    ]

    /// The key a decoding error is about, and what belongs there. Every key is optional, so
    /// TOMLKit's "key not found" means a value of the wrong type too.
    private static func describe(_ error: DecodingError, text: String, source: String) -> AgentConfigError {
        func key(_ path: [any CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "config" : text
        }
        func wrongType(_ path: [any CodingKey]) -> AgentConfigError {
            let field = key(path)
            let top = key(Array(path.prefix { $0.intValue == nil }))
            let found = TOMLKeyLine.find(path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }, in: text)
            return AgentConfigError(field: field, "should be \(expected[top] ?? "something else")\(found.map { ", not \($0.value)" } ?? "")")
                .from(source, line: found?.line)
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return wrongType(context.codingPath)
        case .keyNotFound(let missing, let context):
            // TOMLKit puts the key in the path already; Foundation's decoders do not.
            let path = context.codingPath.last?.stringValue == missing.stringValue ? context.codingPath : context.codingPath + [missing]
            return wrongType(path)
        case .dataCorrupted(let context):
            return AgentConfigError(field: key(context.codingPath), context.debugDescription).from(source)
        @unknown default:
            return AgentConfigError(field: "config", "\(error)").from(source)
        }
    }
}
