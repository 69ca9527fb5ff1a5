import ArgumentParser
import CorralAgent

/// The `corral agent` flags of its HTTP API's limits (see `AgentLimits`).
struct AgentLimitOptions: ParsableArguments {
    @OptionGroup var connections: ConnectionLimitOptions

    /// The limits the flags give, checked.
    func limits() throws(AgentConfigError) -> AgentLimits {
        var limits = AgentLimits()
        connections.apply(to: &limits)
        try limits.validate()
        return limits
    }
}
