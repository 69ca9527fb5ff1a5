import CorralRaft
import CorralReplication

/// The binary client protocol on a master's Raft port (frames of kind `.client`, after a
/// hello with node id 0): key-value puts and linearizable gets, many in flight per
/// connection, answered by request id. `corral bench replicate` speaks it.
public struct ClientRequest: Sendable, Hashable {
    public enum Operation: UInt8, Sendable { case put = 1, get = 2 }

    public var id: UInt64
    public var operation: Operation
    public var key: [UInt8]
    public var value: [UInt8]

    public init(id: UInt64, operation: Operation, key: [UInt8], value: [UInt8] = []) {
        self.id = id
        self.operation = operation
        self.key = key
        self.value = value
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter(reservingCapacity: 16 + key.count + value.count)
        writer.write(varint: id)
        writer.write(byte: operation.rawValue)
        writer.write(bytes: key)
        writer.write(bytes: value)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes, operation: "ClientRequest")
        id = try reader.readVarint("id")
        let op = try reader.readByte("operation")
        guard let operation = Operation(rawValue: op) else { throw reader.error(.unknownTag, "unknown client operation \(op)") }
        self.operation = operation
        key = try reader.readBytes("key")
        value = try reader.readBytes("value")
        try reader.expectEnd()
    }
}

/// The answer to a `ClientRequest`.
public struct ClientResponse: Sendable, Hashable {
    public enum Status: UInt8, Sendable {
        case ok = 0
        /// Not the leader; `leader` and `message` (its Raft address) say who is. Not applied.
        case notLeader = 1
        /// Not applied: no leader, overloaded, stopped, or another entry won its place. Retry.
        case unavailable = 2
        case badRequest = 3
        case notFound = 4
        /// The put reached the leader's log, but the leader lost office (or stopped) before
        /// it learned whether it was committed: it may or may not take effect. Read the key
        /// before retrying.
        case outcomeUnknown = 5
        /// The put is larger than one log entry may be; it was refused before the log.
        case tooLarge = 6
    }

    public var id: UInt64
    public var status: Status
    /// The value for a get; the reason otherwise.
    public var body: [UInt8]
    public var leader: UInt64

    public init(id: UInt64, status: Status, body: [UInt8] = [], leader: UInt64 = 0) {
        self.id = id
        self.status = status
        self.body = body
        self.leader = leader
    }

    public var encoded: [UInt8] {
        var writer = ByteWriter(reservingCapacity: 16 + body.count)
        writer.write(varint: id)
        writer.write(byte: status.rawValue)
        writer.write(bytes: body)
        writer.write(varint: leader)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        var reader = ByteReader(bytes, operation: "ClientResponse")
        id = try reader.readVarint("id")
        let code = try reader.readByte("status")
        guard let status = Status(rawValue: code) else { throw reader.error(.unknownTag, "unknown status \(code)") }
        self.status = status
        body = try reader.readBytes("body")
        leader = try reader.readVarint("leader")
        try reader.expectEnd()
    }
}

extension MasterProcess {
    /// Serves one client request.
    func serve(_ request: ClientRequest) async -> ClientResponse {
        do {
            switch request.operation {
            case .put:
                _ = try await server.propose(KeyValueStateMachine.Command.put(key: request.key, value: request.value).encoded)
                return ClientResponse(id: request.id, status: .ok)
            case .get:
                try await server.linearizableRead()
                guard let value = try machine.value(for: request.key) else {
                    return ClientResponse(id: request.id, status: .notFound)
                }
                return ClientResponse(id: request.id, status: .ok, body: value)
            }
        } catch let error as ReplicationError where error.code == .notLeader {
            let address = directory.peer(error.leader).map { "\($0.raft)" } ?? ""
            return ClientResponse(id: request.id, status: .notLeader, body: Array(address.utf8), leader: error.leader)
        } catch let error as ReplicationError where error.code == .outcomeUnknown {
            return ClientResponse(id: request.id, status: .outcomeUnknown, body: Array(error.message.utf8))
        } catch let error as ReplicationError where error.code == .tooLarge {
            return ClientResponse(id: request.id, status: .tooLarge, body: Array(error.message.utf8))
        } catch {
            return ClientResponse(id: request.id, status: .unavailable, body: Array("\(error)".utf8))
        }
    }
}
