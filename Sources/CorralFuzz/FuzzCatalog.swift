import Foundation

/// Every fuzz target, most important first.
public enum FuzzCatalog {
    /// The environment variable that makes the self-test doubles reachable.
    public static let selfTestVariable = "CORRAL_FUZZ_SELFTEST"

    /// The targets Corral's parsers offer.
    public static let targets: [FuzzTarget] =
        FuzzTargets.model + FuzzTargets.replication + FuzzTargets.configs + FuzzTargets.images + FuzzTargets.limits + FuzzTargets.auth

    /// The targets reachable here: `targets`, plus the self-test doubles when
    /// `CORRAL_FUZZ_SELFTEST=1` is set.
    public static func available(environment: [String: String] = ProcessInfo.processInfo.environment) -> [FuzzTarget] {
        environment[selfTestVariable] == "1" ? targets + FuzzSelfTestDoubles.targets : targets
    }

    /// The target called `name`, or an error that lists the names.
    public static func target(named name: String) throws -> FuzzTarget {
        let all = available()
        guard let target = all.first(where: { $0.name == name }) else {
            throw FuzzError(
                "no fuzz target \"\(name)\"; the targets are: \(all.map(\.name).joined(separator: ", ")) "
                    + "(see corral fuzz --list)")
        }
        return target
    }
}

/// A fuzz run could not start or was misused.
public struct FuzzError: Error, CustomStringConvertible {
    /// What was wrong and what to do.
    public let description: String
    /// Makes an error with its message.
    public init(_ description: String) { self.description = description }
}
