import CorralTestSupport
import Foundation

extension MasterQuorum {
    /// The work dir of agent `name`: `<root>/agent-<name>`.
    func workDirectory(_ name: String) -> String { "\(root)/agent-\(name)" }

    var agentWorkDirectories: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { $0.hasPrefix("agent-") && !$0.hasSuffix(".log") }.sorted().map { "\(root)/\($0)" }
    }

    /// Starts (or restarts, on the same work dir) `corral agent` named `name` against every master.
    func startAgent(
        _ name: String, resources: String = "cpus:8;mem:4096;disk:1000;ports:[31000-32000]", attributes: String? = nil,
        revocableResources: String? = nil, imageRoot: String? = nil, arguments: [String] = []
    ) throws {
        let masters = ports.keys.sorted().map { "127.0.0.1:\(ports[$0]?.http ?? 0)" }
        agents[name] = try AgentChild.start(
            binary: binary, masters: masters, workDirectory: workDirectory(name), hostname: "agent-\(name)",
            imageRoot: imageRoot ?? "\(root)/images", resources: resources, attributes: attributes,
            revocableResources: revocableResources, arguments: arguments)
    }

    /// SIGKILLs agent `name` (its containers keep running) and waits for it to die.
    func killAgent(_ name: String) {
        guard let process = agents.removeValue(forKey: name) else { return }
        AgentChild.kill(process)
    }

    /// The HTTP port agent `name` printed on its latest start.
    func agentPort(_ name: String) -> Int? {
        let log = (try? String(contentsOfFile: "\(workDirectory(name)).log", encoding: .utf8)) ?? ""
        guard let line = log.split(separator: "\n").last(where: { $0.contains("listening: http ") }),
            let address = line.split(separator: " ").first(where: { $0.hasPrefix("127.0.0.1:") }),
            let port = address.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .punctuationCharacters)) })
        else { return nil }
        return port
    }
}
