import CorralHistory
import CorralScheduler
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The register workload: concurrent clients reading and writing unique values on a few
/// keys through the masters' KV API (and on roles' weights and quotas through the Operator
/// API, for `weight:ROLE` and `quota:ROLE` keys), each operation recorded in a history for the linearizability checker.
public struct RegisterWorkload: Sendable {
    /// How many client threads run at once.
    public var clients: Int
    /// The registers they touch.
    public var keys: [String]
    /// Seeds each client's choice of key, kind and first master.
    public var seed: UInt64
    public let register: RegisterClient
    public let recorder: HistoryRecorder
    public let notes = RegisterNotes()

    public init(clients: Int, keys: [String], seed: UInt64, register: RegisterClient, recorder: HistoryRecorder) {
        self.clients = clients
        self.keys = keys
        self.seed = seed
        self.register = register
        self.recorder = recorder
    }

    /// Starts the clients; they run until `clock()` passes `deadline` (nanoseconds). Wait
    /// for them with the returned group.
    public func start(clock: @escaping @Sendable () -> UInt64, until deadline: UInt64) -> DispatchGroup {
        let group = DispatchGroup()
        for index in 0..<clients {
            group.enter()
            let thread = Thread { [self] in
                defer { group.leave() }
                var rng = SplitMix64(seed: seed &+ 0x9E37_79B9 &* UInt64(index + 1))
                var process = index
                var written = 0
                while clock() < deadline {
                    let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
                    let isWrite = Bool.random(using: &rng)
                    written += isWrite ? 1 : 0
                    // A weight must be a positive number; a KV value can be any unique string.
                    let value = isWrite ? (RegisterClient.isOperatorRegister(key) ? "\(index * 1_000_000 + written)" : "c\(index)-\(written)") : nil
                    let first = Int.random(in: 0..<register.endpoints.count, using: &rng)
                    let outcome = perform(isWrite ? .write : .read, key: key, value: value, process: process, first: first)
                    if outcome == .info { process += clients }  // its operation stays open
                    if outcome != .ok { usleep(50_000) }
                }
            }
            thread.name = "register-client-\(index)"
            thread.start()
        }
        return group
    }

    /// After the faults: one successful read of every key, so that a write acknowledged and
    /// then lost shows up in the history. Throws when a key cannot be read in `attempts`.
    public func finalReads(attempts: Int = 40) throws {
        for key in keys {
            var done = false
            for attempt in 0..<attempts where !done {
                done = perform(.read, key: key, value: nil, process: 1_000_000 + attempt, first: attempt) == .ok
                if !done { usleep(100_000) }
            }
            if !done { throw FinalReadFailed(key: key, attempts: attempts) }
        }
    }

    private func perform(_ kind: ClientOperation.Kind, key: String, value: String?, process: Int, first: Int) -> ClientOperation.Outcome {
        let token = recorder.invoke(process: process, kind, key: key, value: value)
        let result = register.perform(kind, key: key, value: value, first: first)
        recorder.complete(token, result.outcome, readValue: result.value)
        notes.record(token, result)
        return result.outcome
    }
}

/// No read of a key succeeded after the faults healed.
public struct FinalReadFailed: Error, CustomStringConvertible {
    public var key: String
    public var attempts: Int
    public var description: String { "no final read of \(key) succeeded in \(attempts) attempts after the faults" }
}
