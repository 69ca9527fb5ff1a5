import ArgumentParser
import CorralMaster

/// The `corral master` flags of the `[limits]` section (see `MasterLimits`); a flag wins over
/// the config file.
struct MasterLimitOptions: ParsableArguments {
    @Option(help: "Largest request body in bytes (default 1048576); per family in [limits] of the config file.")
    var maxBodyBytes: Int?
    @Option(help: "Open scheduler SUBSCRIBE streams at once (default 1000; 0: no cap).")
    var maxSchedulerSubscribers: Int?
    @Option(help: "Open operator SUBSCRIBE event streams at once (default 100; 0: no cap).")
    var maxOperatorSubscribers: Int?
    @OptionGroup var connections: ConnectionLimitOptions

    /// `limits` with the flags given applied.
    func apply(to limits: inout MasterLimits) {
        if let maxBodyBytes { limits.maxBodyBytes = maxBodyBytes }
        if let maxSchedulerSubscribers { limits.maxSchedulerSubscribers = maxSchedulerSubscribers }
        if let maxOperatorSubscribers { limits.maxOperatorSubscribers = maxOperatorSubscribers }
        connections.apply(to: &limits)
    }
}
