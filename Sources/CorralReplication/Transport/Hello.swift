/// The first frame on a connection: the caller's cluster and node (0 for a client), and where
/// a master caller listens for Raft, so that a member that does not know it yet (one that
/// just joined, say, whose leader was added after it was started) can answer it.
///
/// Encoded as the node ID (8 bytes, big-endian), the cluster ID, then, if there is an
/// address, a NUL and "host:port"; a hello without the NUL part decodes with no address.
public struct Hello: Sendable, Hashable {
    public var clusterID: String
    public var nodeID: UInt64
    public var address: PeerAddress?

    public init(clusterID: String, nodeID: UInt64, address: PeerAddress? = nil) {
        self.clusterID = clusterID
        self.nodeID = nodeID
        self.address = address
    }

    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: nodeID.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: clusterID.utf8)
        if let address {
            bytes.append(0)
            bytes.append(contentsOf: address.description.utf8)
        }
        return bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= 8, bytes.count <= 8 + 512 else { throw HelloError.malformed(bytes.count) }
        nodeID = bytes[0..<8].reduce(0) { ($0 << 8) | UInt64($1) }
        let rest = bytes[8...]
        if let nul = rest.firstIndex(of: 0) {
            clusterID = String(decoding: rest[..<nul], as: UTF8.self)
            address = PeerAddress(String(decoding: rest[(nul + 1)...], as: UTF8.self))
        } else {
            clusterID = String(decoding: rest, as: UTF8.self)
            address = nil
        }
    }
}

public enum HelloError: Error, CustomStringConvertible {
    case malformed(Int)
    case wrongCluster(expected: String, got: String)
    case expectedHello

    public var description: String {
        switch self {
        case .malformed(let count): return "malformed hello frame (\(count) bytes)"
        case .wrongCluster(let expected, let got):
            return "peer belongs to cluster '\(got)', this node to '\(expected)'"
        case .expectedHello: return "the first frame on a connection must be a hello"
        }
    }
}
