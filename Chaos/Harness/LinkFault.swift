/// What a proxied peer link does to the Raft frames that cross it (`LinkProxies`): every
/// frame waits `delayMs` plus up to `jitterMs` drawn per frame (so frames overtake each other:
/// reordering), and is dropped, sent twice, or ends the connection with the given chances.
/// Written in scenarios as `links = "delay=20ms,jitter=60ms,loss=0.1,duplicate=0.05,reset=0.01"`.
public struct LinkFault: Sendable, Hashable, Codable, CustomStringConvertible {
    public var delayMs = 0
    public var jitterMs = 0
    /// The chance that a frame is dropped.
    public var loss = 0.0
    /// The chance that a frame is delivered twice (the copy with its own jitter).
    public var duplicate = 0.0
    /// The chance that a frame, instead of being sent, closes the connection (the sender
    /// reconnects).
    public var reset = 0.0

    public init(delayMs: Int = 0, jitterMs: Int = 0, loss: Double = 0, duplicate: Double = 0, reset: Double = 0) {
        self.delayMs = delayMs
        self.jitterMs = jitterMs
        self.loss = loss
        self.duplicate = duplicate
        self.reset = reset
    }

    /// A link that passes every frame at once.
    public static let none = LinkFault()

    public var description: String {
        "delay=\(delayMs)ms,jitter=\(jitterMs)ms,loss=\(loss),duplicate=\(duplicate),reset=\(reset)"
    }

    /// Reads `key=value` pairs separated by commas: `delay` and `jitter` in ms (0-5000, with
    /// the `ms` suffix), `loss`, `duplicate` and `reset` chances (0-1; loss and reset below
    /// 1, or nothing would get through). Throws a message naming the bad part.
    public static func parse(_ text: String) throws(LinkFaultError) -> LinkFault {
        var fault = LinkFault()
        for part in text.split(separator: ",").map({ $0.trimmingSpaces }) where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
            guard pieces.count == 2 else { throw LinkFaultError("'\(part)' is not key=value") }
            let (key, value) = (pieces[0], pieces[1])
            switch key {
            case "delay", "jitter":
                guard value.hasSuffix("ms"), let ms = Int(value.dropLast(2)), (0...5000).contains(ms) else {
                    throw LinkFaultError("'\(part)': \(key) must be 0ms to 5000ms")
                }
                if key == "delay" { fault.delayMs = ms } else { fault.jitterMs = ms }
            case "loss", "duplicate", "reset":
                let upper = key == "duplicate" ? 1.0 : 0.9
                guard let chance = Double(value), chance >= 0, chance <= upper else {
                    throw LinkFaultError("'\(part)': \(key) must be a chance from 0 to \(upper)")
                }
                switch key {
                case "loss": fault.loss = chance
                case "duplicate": fault.duplicate = chance
                default: fault.reset = chance
                }
            default:
                throw LinkFaultError("'\(part)': unknown key '\(key)'; use delay, jitter, loss, duplicate or reset")
            }
        }
        guard fault != .none else { throw LinkFaultError("'\(text)' does nothing; e.g. \"delay=20ms,jitter=60ms,loss=0.1\"") }
        return fault
    }
}

/// A `links` value that does not parse.
public struct LinkFaultError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension StringProtocol {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
