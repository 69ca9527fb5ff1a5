import CorralModel

/// A v1 Agent Operator API call (`mesos/v1/agent/agent.proto` `Call`):
/// `{"type": "...", "<lowercased type>": {...}}`. Only the payloads of the calls served are read.
struct AgentOperatorCall: Decodable, Sendable {
    /// The calls the agent answers.
    enum Kind: String, CaseIterable, Sendable {
        case getHealth = "GET_HEALTH"
        case getFlags = "GET_FLAGS"
        case getVersion = "GET_VERSION"
        case getMetrics = "GET_METRICS"
        case getState = "GET_STATE"
        case getContainers = "GET_CONTAINERS"
        case getFrameworks = "GET_FRAMEWORKS"
        case getExecutors = "GET_EXECUTORS"
        case getTasks = "GET_TASKS"
        case getAgent = "GET_AGENT"
        case listFiles = "LIST_FILES"
        case readFile = "READ_FILE"
        case attachContainerOutput = "ATTACH_CONTAINER_OUTPUT"

        /// The key of the call's payload and of the response's, e.g. `get_health`.
        var field: String { rawValue.lowercased() }

        /// `GET_HEALTH, GET_FLAGS, …`, for error messages.
        static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
    }

    /// Calls of Mesos's agent API that Corral's agent does not serve.
    static let unsupported: Set<String> = [
        "GET_LOGGING_LEVEL", "SET_LOGGING_LEVEL", "GET_OPERATIONS", "GET_RESOURCE_PROVIDERS",
        "LAUNCH_NESTED_CONTAINER", "WAIT_NESTED_CONTAINER", "KILL_NESTED_CONTAINER", "REMOVE_NESTED_CONTAINER",
        "LAUNCH_NESTED_CONTAINER_SESSION", "ATTACH_CONTAINER_INPUT", "LAUNCH_CONTAINER",
        "WAIT_CONTAINER", "KILL_CONTAINER", "REMOVE_CONTAINER", "ADD_RESOURCE_PROVIDER_CONFIG",
        "UPDATE_RESOURCE_PROVIDER_CONFIG", "REMOVE_RESOURCE_PROVIDER_CONFIG", "MARK_RESOURCE_PROVIDER_GONE", "PRUNE_IMAGES",
    ]

    struct ListFiles: Decodable, Sendable {
        var path: String
    }

    struct ReadFile: Decodable, Sendable {
        var path: String
        var offset: UInt64
        var length: UInt64?

        enum CodingKeys: String, CodingKey { case path, offset, length }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            path = try container.decode(String.self, forKey: .path)
            offset = try Self.integer(container, .offset)
            length = try container.contains(.length) ? Self.integer(container, .length) : nil
        }

        /// A uint64 as a JSON number or, as proto3's JSON mapping writes it, a decimal string.
        private static func integer(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> UInt64 {
            if let number = try? container.decode(UInt64.self, forKey: key) { return number }
            let text = try container.decode(String.self, forKey: key)
            guard let number = UInt64(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: container, debugDescription: "\"\(text.prefix(40))\" is not an unsigned integer")
            }
            return number
        }
    }

    /// `{"container_id": {"value": …, "parent": …}}`: whose output to stream.
    struct AttachContainerOutput: Decodable, Sendable {
        var containerID: ContainerID

        enum CodingKeys: String, CodingKey { case containerID = "container_id" }
    }

    var type: String?
    var listFiles: ListFiles?
    var readFile: ReadFile?
    var attachContainerOutput: AttachContainerOutput?

    enum CodingKeys: String, CodingKey {
        case type
        case listFiles = "list_files"
        case readFile = "read_file"
        case attachContainerOutput = "attach_container_output"
    }
}
