import CorralRaft
import CorralReplication

extension MasterStateMachine {
    /// What applying a batch of entries produced, computed once, before anything is stored.
    package struct AppliedBatch {
        /// The result of each command entry, by index.
        package var results: [UInt64: [UInt8]] = [:]
        /// Key-value writes in log order; a nil value deletes the key.
        var keyChanges: [([UInt8], [UInt8]?)] = []
        /// The registry's changes, for observers.
        package var changes: [RegistryChange] = []
    }

    /// Decodes and applies the commands of `entries` to `registry`, in order. A command that
    /// does not decode is answered with an error and changes nothing, on every replica alike.
    package static func applyCommands(_ entries: [Entry], to registry: inout Registry) -> AppliedBatch {
        applyCommands(entries, to: &registry) { try? RegistryCommand(decoding: $0) }
    }

    /// `applyCommands`, with the registry commands decoded by `decode` (the simulator
    /// decodes each entry once for all its masters).
    package static func applyCommands(
        _ entries: [Entry], to registry: inout Registry, decode: ([UInt8]) -> RegistryCommand?
    ) -> AppliedBatch {
        var batch = AppliedBatch()
        for entry in entries {
            guard case .command(let bytes) = entry.payload else { continue }
            if bytes.first == RegistryCommand.tag {
                guard let command = decode(bytes) else {
                    batch.results[entry.index] = RegistryOutcome(error: "malformed registry command").encoded
                    continue
                }
                let (outcome, made) = registry.apply(command, index: entry.index)
                batch.results[entry.index] = outcome.encoded
                batch.changes += made
            } else {
                switch try? KeyValueStateMachine.Command(decoding: bytes) {
                case .put(let key, let value)?:
                    batch.keyChanges.append((key, value))
                    batch.results[entry.index] = []
                case .delete(let key)?:
                    batch.keyChanges.append((key, nil))
                    batch.results[entry.index] = []
                case nil:
                    batch.results[entry.index] = Array("malformed command".utf8)
                }
            }
        }
        return batch
    }
}
