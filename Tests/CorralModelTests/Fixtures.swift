import Foundation

@testable import CorralModel

/// Sample values used by several tests.
enum Fixtures {
    static let agentResources: [Resource] = [
        .scalar("cpus", 4),
        .scalar("mem", 8192),
        .scalar("disk", 40960),
        .ranges("ports", Ranges(31000...32000)),
        .scalar("cpus", 2, role: "web"),
    ]

    static let offer = Offer(
        id: "O-1",
        frameworkID: "F-1",
        agentID: "S-1",
        hostname: "agent1.local",
        resources: agentResources.map { resource in
            var copy = resource
            copy.allocationInfo = Resource.AllocationInfo(role: "*")
            return copy
        },
        attributes: [.text("rack", "r1"), .scalar("generation", 3)],
        executorIDs: ["E-1"],
        allocationInfo: Resource.AllocationInfo(role: "*"),
        url: MesosURL(
            scheme: "http",
            address: Address(hostname: "agent1.local", ip: "10.0.0.2", port: 5051),
            path: "/slave(1)"
        ),
        domain: DomainInfo(region: "eu", zone: "eu-1a")
    )

    static let task = TaskInfo(
        name: "web-1",
        taskID: "web-1",
        agentID: "S-1",
        resources: [.scalar("cpus", 0.5), .scalar("mem", 128), .ranges("ports", Ranges(31005...31005))],
        command: CommandInfo(
            value: "/bin/httpd",
            shell: false,
            arguments: ["httpd", "-f"],
            environment: Environment([("PORT", "31005")]),
            user: "nobody",
            uris: [CommandInfo.URI(value: "http://example.invalid/site.tgz", extract: true)]
        ),
        container: ContainerInfo(
            type: .mesos,
            volumes: [Volume(mode: .readOnly, containerPath: "/etc/site", hostPath: "/srv/site")],
            hostname: "web-1",
            mesos: ContainerInfo.MesosInfo(image: .docker("library/busybox:latest")),
            networkInfos: [
                NetworkInfo(name: "bridge", portMappings: [.init(hostPort: 31005, containerPort: 80)])
            ]
        ),
        data: [0, 1, 2, 254, 255],
        labels: ["team": "infra"],
        healthCheck: HealthCheck(type: "HTTP", http: HealthCheck.Endpoint(port: 80, path: "/health")),
        killPolicy: KillPolicy(gracePeriod: .seconds(5)),
        discovery: DiscoveryInfo(
            visibility: "FRAMEWORK",
            name: "web",
            ports: .init(ports: [.init(number: 31005, name: "http")])
        )
    )

    static let status = TaskStatus(
        taskID: "web-1",
        state: .running,
        message: "started",
        source: .executor,
        reason: .taskHealthCheckStatusUpdated,
        data: [9, 8, 7],
        agentID: "S-1",
        executorID: "E-1",
        timestamp: 1_700_000_000.25,
        uuid: Array(0..<16),
        healthy: true,
        labels: ["k": "v"],
        containerStatus: ContainerStatus(
            containerID: ContainerID("c2", parent: ContainerID("c1")),
            executorPID: 4242
        )
    )

    static let framework = FrameworkInfo(
        user: "root",
        name: "marathon",
        id: "F-1",
        failoverTimeoutSeconds: 604_800,
        checkpoint: true,
        roles: ["web", "batch"],
        hostname: "sched.local",
        principal: "marathon",
        capabilities: [.init(.multiRole), .init(.partitionAware)],
        labels: ["owner": "ops"]
    )

    static let agent = AgentInfo(
        hostname: "agent1.local",
        port: 5051,
        resources: agentResources,
        attributes: [.text("rack", "r1")],
        id: "S-1",
        domain: DomainInfo(region: "eu", zone: "eu-1a")
    )

    /// Encodes with Foundation and decodes back.
    static func roundTrip<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    /// Decodes a JSON text.
    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    /// Encodes a value and parses it back as a JSON object, to look at keys.
    static func object(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}
