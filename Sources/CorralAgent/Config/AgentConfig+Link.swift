extension AgentConfig {
    /// The `[timing]` settings as `MasterLink` takes them.
    public var linkTimeouts: MasterLink.Timeouts {
        MasterLink.Timeouts(
            connect: .milliseconds(timing.connectTimeoutMilliseconds),
            request: .milliseconds(timing.requestTimeoutMilliseconds),
            streamSilence: timing.masterSilenceSeconds > 0 ? .milliseconds(Int64(timing.masterSilenceSeconds * 1000)) : nil,
            initialBackoff: .milliseconds(timing.registrationBackoffMilliseconds),
            maximumBackoff: .milliseconds(timing.registrationBackoffMaximumMilliseconds))
    }
}
