import CorralMaster
import CorralModel
import Foundation

/// Finding a task, its agent and its sandbox.
extension ClusterConnection {
    /// The task named `id` (of `framework` when given; else the latest launched of that ID).
    func task(_ id: String, framework: String? = nil) throws(ClusterError) -> JSONValue {
        var query = "task_id=\(Self.escape(id))&limit=-1"
        if let framework { query += "&framework_id=\(Self.escape(framework))" }
        let tasks = try get("/master/tasks?\(query)")["tasks"]?.list ?? []
        guard let task = tasks.max(by: { Self.launchTime($0) < Self.launchTime($1) }) else {
            throw ClusterError("no task \(id) is known to the cluster\(framework.map { " in framework \($0)" } ?? ""); `corral ps -a` lists them")
        }
        return task
    }

    /// When a v0 task was launched: the timestamp of its first status.
    static func launchTime(_ task: JSONValue) -> Double {
        task["statuses"]?.list.first?["timestamp"]?.double ?? 0
    }

    /// Every agent the leader knows, by ID, from `/master/slaves`.
    func agents() throws(ClusterError) -> [String: JSONValue] {
        var byID: [String: JSONValue] = [:]
        for agent in try get("/master/slaves")["slaves"]?.list ?? [] {
            if let id = agent["id"]?.text { byID[id] = agent }
        }
        return byID
    }

    /// An agent's HTTP `host:port`: its `pid` (`slave(1)@ip:port`, the address its connection
    /// came from), else its registered hostname and port.
    static func address(ofAgent agent: JSONValue) -> String? {
        if let pid = agent["pid"]?.text, let at = pid.firstIndex(of: "@"), pid[pid.index(after: at)...].contains(":") {
            return String(pid[pid.index(after: at)...])
        }
        guard let hostname = agent["hostname"]?.text, let port = agent["port"]?.text else { return nil }
        return "\(hostname):\(port)"
    }

    /// Where a task's sandbox is: its agent's address and the directory the agent's `/state`
    /// gives for the task's executor.
    func sandbox(of task: JSONValue) throws(ClusterError) -> Sandbox {
        guard let taskID = task["id"]?.text, let frameworkID = task["framework_id"]?.text, let agentID = task["slave_id"]?.text else {
            throw ClusterError("the master's task record has no id, framework_id or slave_id")
        }
        guard let agent = try agents()[agentID], let address = Self.address(ofAgent: agent) else {
            throw ClusterError("task \(taskID) ran on agent \(agentID), which the master no longer lists; its sandbox cannot be reached")
        }
        let response: MasterClient.Response
        do {
            response = try client.request("GET", address, "/state")
        } catch {
            throw ClusterError("cannot reach agent \(agentID) at \(address) to find the sandbox of \(taskID): \(error.message)")
        }
        let state = (try? JSONDecoder().decode(JSONValue.self, from: Data(response.body))) ?? [:]
        for framework in (state["frameworks"]?.list ?? []) + (state["completed_frameworks"]?.list ?? []) {
            for executor in (framework["executors"]?.list ?? []) + (framework["completed_executors"]?.list ?? []) {
                let tasks = (executor["tasks"]?.list ?? []) + (executor["completed_tasks"]?.list ?? []) + (executor["queued_tasks"]?.list ?? [])
                guard tasks.contains(where: { $0["id"]?.text == taskID && $0["framework_id"]?.text == frameworkID }),
                    let directory = executor["directory"]?.text, !directory.isEmpty
                else { continue }
                return Sandbox(agent: address, directory: directory)
            }
        }
        // An agent lists only frameworks with live tasks; an ended task's sandbox stays served
        // under Mesos's virtual path (a command task's executor ID is its task ID).
        let executorID = task["executor_id"]?.text.flatMap { $0.isEmpty ? nil : $0 } ?? taskID
        let virtual = "/frameworks/\(frameworkID)/executors/\(executorID)/runs/latest"
        if (try? client.request("GET", address, "/files/browse?path=\(Self.escape(virtual))"))?.status == 200 {
            return Sandbox(agent: address, directory: virtual)
        }
        throw ClusterError("agent \(agentID) at \(address) has no sandbox for task \(taskID) (yet); it may still be starting, or was cleaned up")
    }

    /// Percent-encodes a query value.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}
