import CorralSecurity
import Foundation

/// The `corral master` command line of one member of a quorum started on this machine, for
/// the launchers that start masters as child processes (`corral up`, the benchmarks, the
/// chaos harness).
public enum MasterCommandLine {
    /// One member's id and addresses, as `--peer ID=RAFT,HTTP` gives them.
    public struct Peer: Sendable {
        public var id: UInt64
        public var raft: String
        public var http: String
        public init(id: UInt64, raft: String, http: String) {
            self.id = id
            self.raft = raft
            self.http = http
        }
    }

    /// The arguments after the executable: `master` with the member's identity, data
    /// directory, listen addresses, log level, `--exit-with-parent`, every peer, and
    /// `--bootstrap` when `bootstrap` (a founding member's first start only), and with `tls` the
    /// member's certificate, key and the cluster's CA (`--tls-cert`, `--tls-key`, `--tls-ca`).
    public static func arguments(
        member: Peer, peers: [Peer], clusterID: String, dataDirectory: String, logLevel: String, bootstrap: Bool,
        tls: TLSFiles? = nil
    ) -> [String] {
        var arguments = [
            "master", "--node-id", "\(member.id)", "--cluster-id", clusterID, "--data-dir", dataDirectory,
            "--raft-listen", member.raft, "--http-listen", member.http, "--log-level", logLevel, "--exit-with-parent", "--parent-pid", "\(getpid())",
        ]
        arguments += peers.map { "--peer=\($0.id)=\($0.raft),\($0.http)" } + (bootstrap ? ["--bootstrap"] : [])
        if let tls {
            for (option, path) in [("--tls-cert", tls.certificate), ("--tls-key", tls.key), ("--tls-ca", tls.ca)] {
                if let path { arguments += [option, path] }
            }
        }
        return arguments
    }
}
