import ArgumentParser
import CorralContainer

/// `--root DIR`: the node's state root (else `$CORRAL_ROOT`, else /var/lib/corral).
struct StateRootOptions: ParsableArguments {
    @Option(name: .customLong("root"), help: "State root (default: $CORRAL_ROOT or /var/lib/corral).")
    var root: String?

    /// The resolved state root.
    var path: String { ContainerStore.resolveRoot(option: root) }

    /// The store at the resolved root.
    var store: ContainerStore { ContainerStore(root: path) }
}
