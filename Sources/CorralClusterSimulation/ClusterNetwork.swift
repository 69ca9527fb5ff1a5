import CorralMaster
import CorralModel
import CorralRaft
import CorralSimulation

/// An agent or a scheduler: what calls the masters and reads a stream from one.
enum Client: Hashable {
    case agent(Int)
    case scheduler(Int)

    /// The client's place on the network (masters are 0..<masters).
    var node: Int {
        switch self {
        case .agent(let index): 100 + index
        case .scheduler(let index): 200 + index
        }
    }
}

/// A call (an HTTP request) from a client to a master.
struct CallRequest {
    enum Body {
        case agentSubscribe(AgentCall.Subscribe)
        case agentCall(AgentCall, streamID: String)
        case schedulerSubscribe(SchedulerCall.Subscribe)
        case schedulerCall(SchedulerCall, streamID: String)
    }

    var number: UInt64
    var client: Client
    var master: Int
    var body: Body
    /// Redirects followed so far.
    var hops: Int
}

/// A master's answer to a call.
struct CallResponse {
    enum Result {
        case answer(LeaderStateMachine.Answer)
        /// This master does not lead: try `leader` (a 307), or another master if nil.
        case redirect(leader: Int?)
    }

    var number: UInt64
    var client: Client
    var master: Int
    var result: Result
}

/// Which subscriber a master's stream serves.
enum ServerStreamKey: Hashable {
    case scheduler(FrameworkID)
    case agent(AgentID)

    /// A stable order: anything done for every stream in turn (drawing a latency, say) must
    /// not follow a dictionary's order, which changes with each process's hash seed.
    var order: String {
        switch self {
        case .scheduler(let id): "s/\(id.value)"
        case .agent(let id): "a/\(id.value)"
        }
    }
}

/// One record on a master's stream to a client, or its end.
struct StreamDelivery {
    enum Payload {
        case scheduler(SchedulerEvent)
        case agent(AgentEvent)
        case ended
    }

    var client: Client
    var master: Int
    var streamID: String
    var payload: Payload
}

/// What a client does with the network's deliveries.
protocol ClusterClient: AnyObject {
    func answered(_ response: CallResponse)
    func timedOut(_ number: UInt64)
    func streamDelivery(_ delivery: StreamDelivery)
}

/// The links between every pair of processes: latency, loss, duplication and partitions.
struct ClusterNetwork {
    var rng: SimulationRNG
    let faults: Bool
    /// Links that drop everything, one way (from, to).
    var blocked: Set<[Int]> = []
    /// Whether messages are being lost, duplicated and delayed now (a fault window).
    var lossy = false

    init(seed: UInt64, faults: Bool) {
        rng = SimulationRNG(seed: seed, stream: "cluster-network")
        self.faults = faults
    }

    func isOpen(_ from: Int, _ to: Int) -> Bool { !blocked.contains([from, to]) }

    /// A one-way delay: a fraction of a millisecond, sometimes tens of milliseconds in a
    /// fault window.
    mutating func latency() -> UInt64 {
        if lossy, rng.chance(0.05) { return UInt64.random(in: 10_000...80_000, using: &rng) }
        return UInt64.random(in: 150...1_500, using: &rng)
    }

    /// Whether a message or call is lost on the way.
    mutating func loses() -> Bool { lossy && rng.chance(0.02) }

    /// Whether a Raft message arrives twice.
    mutating func duplicates() -> Bool { lossy && rng.chance(0.02) }

    mutating func cut(_ a: Int, _ b: Int) {
        blocked.insert([a, b])
        blocked.insert([b, a])
    }

    mutating func healAll() {
        blocked.removeAll()
        lossy = false
    }
}

extension ClusterEngine {
    /// Sends a Raft message between masters.
    func transmit(_ message: Message) {
        let from = Int(message.from) - 1
        let to = Int(message.to) - 1
        guard network.isOpen(from, to), !network.loses() else { return }
        let copies = network.duplicates() ? 2 : 1
        for copy in 0..<copies {
            counters.raftMessages += 1
            schedule(
                .raftMessage(message),
                after: network.latency(),
                key: key(2, to, UInt64(copy) << 32 | UInt64(from))
            )
        }
    }

    /// Sends a call; the client hears `answered` or, after `timeout`, `timedOut`.
    @discardableResult
    func call(
        from client: Client,
        to master: Int,
        _ body: CallRequest.Body,
        hops: Int = 0,
        timeout: UInt64 = 2_000_000
    )
        -> UInt64
    {
        nextCallNumber += 1
        let number = nextCallNumber
        counters.calls += 1
        schedule(
            .callTimedOut(client: client, number: number),
            after: timeout,
            key: key(9, client.node, number)
        )
        let request = CallRequest(number: number, client: client, master: master, body: body, hops: hops)
        if network.isOpen(client.node, master), !network.loses() {
            schedule(.callArrives(request), after: network.latency(), key: key(3, master, number))
        }
        return number
    }

    /// Answers a call (lost if the link is cut: the client times out).
    /// Answers a call; returns when the answer arrives, or nil when it is lost.
    @discardableResult
    func respond(_ request: CallRequest, _ result: CallResponse.Result) -> UInt64? {
        guard network.isOpen(request.master, request.client.node), !network.loses() else { return nil }
        let response = CallResponse(
            number: request.number,
            client: request.client,
            master: request.master,
            result: result
        )
        let delay = network.latency()
        schedule(
            .callAnswered(response),
            after: delay,
            key: key(4, request.client.node, request.number)
        )
        return now + delay
    }

    /// Delivers a stream record no earlier than `after` (the stream's order).
    func deliver(_ delivery: StreamDelivery, notBefore: UInt64) -> UInt64 {
        let at = max(now + network.latency(), notBefore + 1)
        queue.push(.streamDelivery(delivery), at: at, key: key(6, delivery.client.node, at))
        return at
    }
}
