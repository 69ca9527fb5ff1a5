import CorralModel
import Foundation

// MARK: - ATTACH_CONTAINER_OUTPUT: a container's stdout and stderr as they are written

extension AgentHTTP {
    /// How often a followed container's output files are looked at for new bytes.
    static let attachPollInterval: Duration = .milliseconds(100)

    /// Streams the sandbox's `stdout` and `stderr` of a task's (or executor's) container from
    /// the start as `agent.ProcessIO` records (`Content-Type: application/recordio`,
    /// `Message-Content-Type: application/json`) until the container has exited and both files
    /// are read to their end. 404 for a container the agent does not know.
    func attachContainerOutput(_ call: AgentOperatorCall, _ request: AgentHTTPRequest) async -> AgentHTTPResponse {
        if let refusal = Self.checkStreamingAccept(request) { return refusal }
        guard let containerID = call.attachContainerOutput?.containerID else {
            return .problem(
                400, "ATTACH_CONTAINER_OUTPUT needs \"attach_container_output\": {\"container_id\": {\"value\": …}}")
        }
        guard let output = await view().containerOutput(containerID) else {
            return .problem(
                404,
                "no container \(containerID) on this agent; a task's container ID is in its status's "
                    + "container_status, and GET_CONTAINERS lists the live ones")
        }
        let view = self.view
        let tail = ContainerOutputTail(directory: output.directory, pollInterval: Self.attachPollInterval) {
            await view().containerOutput(containerID)?.exited ?? true
        }
        return AgentHTTPResponse(
            status: 200, headers: ["Content-Type": "application/recordio", "Message-Content-Type": "application/json"],
            body: .stream(ExecutorEventStream(records: AsyncStream(unfolding: { await tail.next() }))))
    }

    /// 406 unless the client takes a RecordIO stream (`Accept`) of JSON records (`Message-Accept`).
    static func checkStreamingAccept(_ request: AgentHTTPRequest) -> AgentHTTPResponse? {
        func allows(_ header: String, _ mediaType: String) -> Bool {
            guard let value = request.headers[header]?.lowercased(), !value.isEmpty else { return true }
            return value.contains(mediaType) || value.contains("*/*") || value.contains("application/*")
        }
        if !allows("accept", "application/recordio") {
            return .problem(
                406,
                "ATTACH_CONTAINER_OUTPUT answers a stream: send Accept: application/recordio and Message-Accept: "
                    + "application/json; Accept was \(request.headers["accept"] ?? "")")
        }
        if !allows("message-accept", "application/json") {
            return .problem(
                406,
                "this agent streams application/json records only (no protobuf); send Message-Accept: application/json; "
                    + "Message-Accept was \(request.headers["message-accept"] ?? "")")
        }
        return nil
    }
}

extension AgentView {
    /// Where the container's output files are (the sandbox of its tasks) and whether it has
    /// exited (none of its tasks is live): a command task's or a task group task's own
    /// container, or a custom executor's, which its tasks share. Nil when no task has it.
    func containerOutput(_ id: ContainerID) -> (directory: String, exited: Bool)? {
        let tasks = self.tasks.filter { $0.containerID == id }
        guard let first = tasks.first else { return nil }
        return (first.directory, !tasks.contains(where: \.isLive))
    }
}
