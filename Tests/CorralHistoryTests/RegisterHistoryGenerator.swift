import CorralHistory
import CorralTestSupport

/// Makes histories that are linearizable by construction: processes invoke operations at
/// random, each operation takes effect on a sequential register model at one instant between
/// its invocation and its completion, and clients learn the truth about it (a failed write
/// never takes effect; an indeterminate write takes effect before or after its client gave
/// up, or never).
struct RegisterHistoryGenerator {
    var processes = 6
    var keys = ["a", "b", "c"]
    var operations = 300
    var writePercent = 50
    var failPercent = 5
    var infoPercent = 6

    private enum Fate { case ok, fail, infoApplied, infoNever }

    private struct Pending {
        var token: Int
        var kind: ClientOperation.Kind
        var key: String
        var value: String?
        var fate: Fate
        var applied = false
    }

    func generate(seed: UInt64) -> History {
        var rng = SplitMix64(seed: seed)
        var now: UInt64 = 0
        var recorded: [ClientOperation] = []
        var register: [String: String] = [:]
        var busy: [Int: Pending] = [:]
        var late: [(key: String, value: String)] = []
        var started = 0
        while started < operations || !busy.isEmpty {
            now += UInt64.random(in: 1...5, using: &rng)
            if !late.isEmpty, Int.random(in: 0..<10, using: &rng) == 0 {
                let write = late.remove(at: Int.random(in: 0..<late.count, using: &rng))
                register[write.key] = write.value
            }
            let process = Int.random(in: 0..<processes, using: &rng)
            guard var pending = busy[process] else {
                guard started < operations else { continue }
                started += 1
                let kind: ClientOperation.Kind = Int.random(in: 0..<100, using: &rng) < writePercent ? .write : .read
                let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
                let value = kind == .write ? "p\(process)-\(started)" : nil
                let roll = Int.random(in: 0..<100, using: &rng)
                let fate: Fate = roll < failPercent ? .fail
                    : roll < failPercent + infoPercent ? (Bool.random(using: &rng) ? .infoApplied : .infoNever) : .ok
                let token = recorded.count
                recorded.append(ClientOperation(
                    process: process, kind: kind, key: key, value: value, outcome: .info, invokeNanos: now, completeNanos: nil))
                busy[process] = Pending(token: token, kind: kind, key: key, value: value, fate: fate)
                continue
            }
            let takesEffectNow = !pending.applied && (pending.fate == .ok || (pending.fate == .infoApplied && Bool.random(using: &rng)))
            if takesEffectNow {
                if pending.kind == .write { register[pending.key] = pending.value } else { pending.value = register[pending.key] }
                pending.applied = true
                busy[process] = pending
                continue
            }
            busy[process] = nil
            switch pending.fate {
            case .ok:
                recorded[pending.token].outcome = .ok
                recorded[pending.token].value = pending.value
                recorded[pending.token].completeNanos = now
            case .fail:
                recorded[pending.token].outcome = .fail
                recorded[pending.token].completeNanos = now
            case .infoApplied, .infoNever:
                if pending.fate == .infoApplied, !pending.applied, pending.kind == .write, let value = pending.value {
                    late.append((pending.key, value))
                }
            }
        }
        return History(recorded)
    }
}
