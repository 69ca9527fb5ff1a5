import CorralModel

/// An executor on an agent: its framework and the framework's ID for it.
public struct ExecutorKey: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public var frameworkID: FrameworkID
    public var executorID: ExecutorID

    public init(_ frameworkID: FrameworkID, _ executorID: ExecutorID) {
        self.frameworkID = frameworkID
        self.executorID = executorID
    }

    public static func < (lhs: ExecutorKey, rhs: ExecutorKey) -> Bool {
        (lhs.frameworkID.value, lhs.executorID.value) < (rhs.frameworkID.value, rhs.executorID.value)
    }

    public var description: String { "\(frameworkID.value)/\(executorID.value)" }
}
