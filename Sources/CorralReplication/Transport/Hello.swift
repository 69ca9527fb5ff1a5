/// The first frame on a connection: the caller's cluster and node (0 for a client).
public struct Hello: Sendable, Hashable {
    public var clusterID: String
    public var nodeID: UInt64

    public init(clusterID: String, nodeID: UInt64) {
        self.clusterID = clusterID
        self.nodeID = nodeID
    }

    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: nodeID.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: clusterID.utf8)
        return bytes
    }

    public init(decoding bytes: [UInt8]) throws {
        guard bytes.count >= 8, bytes.count <= 8 + 256 else { throw HelloError.malformed(bytes.count) }
        nodeID = bytes[0..<8].reduce(0) { ($0 << 8) | UInt64($1) }
        clusterID = String(decoding: bytes[8...], as: UTF8.self)
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
