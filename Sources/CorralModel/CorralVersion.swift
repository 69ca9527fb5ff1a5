/// Version strings reported by the master's and the agent's `/version`, `master_info` and
/// agent state.
public enum CorralVersion {
    /// Corral's own version.
    public static let corral = "0.4.0"
    /// The Apache Mesos API version Corral answers as, for clients that check it.
    public static let mesosCompatible = "1.11.0"
}
