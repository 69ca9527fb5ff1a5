/// Identifies a task: task IDs are unique per framework, as in Mesos.
public struct TaskKey: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var frameworkID: FrameworkID
    public var taskID: TaskID

    public init(_ frameworkID: FrameworkID, _ taskID: TaskID) {
        self.frameworkID = frameworkID
        self.taskID = taskID
    }

    public static func < (lhs: TaskKey, rhs: TaskKey) -> Bool {
        (lhs.frameworkID.value, lhs.taskID.value) < (rhs.frameworkID.value, rhs.taskID.value)
    }

    public var description: String { "\(frameworkID)/\(taskID)" }
}
