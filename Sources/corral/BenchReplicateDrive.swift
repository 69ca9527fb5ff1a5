import CorralMaster
import CorralReplication
import CorralSecurity
import Foundation

extension BenchReplicate {
    struct Result {
        var latencies: [Double]
        /// Writes not applied (refused, redirected, failed) or not answered.
        var errors: Int
        /// Writes answered "outcome unknown": they may or may not have taken effect.
        var unknown: Int

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return 0 }
            return latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
    }

    func drive(target: PeerAddress, clusterID: String, tls: TLSIdentity?) async throws -> Result {
        var pool: [KVConnection] = []
        for _ in 0..<max(1, min(connections, clients)) {
            pool.append(try await KVConnection.connect(to: target, clusterID: clusterID, tls: tls))
        }
        defer { pool.forEach { $0.close() } }
        let value = [UInt8](repeating: 0x61, count: valueBytes)
        let prefix = Array("bench/".utf8)
        let padding = [UInt8](repeating: 0x6B, count: max(0, keyBytes - prefix.count - 8))
        let clock = ContinuousClock()
        let start = clock.now
        let measureFrom = start + .seconds(1)
        let end = measureFrom + .seconds(seconds)
        let connections = pool
        let clientCount = clients
        return await withTaskGroup(of: Result.self) { group in
            for client in 0..<clientCount {
                group.addTask {
                    let connection = connections[client % connections.count]
                    var latencies: [Double] = []
                    var errors = 0
                    var unknown = 0
                    var sequence = 0
                    while clock.now < end {
                        var key = prefix
                        withUnsafeBytes(of: (UInt64(client) << 32 | UInt64(sequence)).bigEndian) { key.append(contentsOf: $0) }
                        key.append(contentsOf: padding)
                        sequence += 1
                        let began = clock.now
                        let response = try? await connection.put(key: key, value: value)
                        let finished = clock.now
                        guard response?.status == .ok else {
                            // A write whose outcome is unknown may have taken effect: it is
                            // counted apart from writes that failed (not applied).
                            if response?.status == .outcomeUnknown { unknown += 1 } else { errors += 1 }
                            if response == nil { break }
                            continue
                        }
                        if began >= measureFrom && finished <= end {
                            let elapsed = finished - began
                            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                        }
                    }
                    return Result(latencies: latencies, errors: errors, unknown: unknown)
                }
            }
            var total = Result(latencies: [], errors: 0, unknown: 0)
            for await part in group {
                total.latencies += part.latencies
                total.errors += part.errors
                total.unknown += part.unknown
            }
            total.latencies.sort()
            return total
        }
    }

    func findLeader(_ addresses: [PeerAddress], clusterID: String, tls: TLSIdentity?) async throws -> PeerAddress? {
        for address in addresses {
            guard let connection = try? await KVConnection.connect(to: address, clusterID: clusterID, tls: tls) else { continue }
            defer { connection.close() }
            let response = try await connection.get(key: Array("bench/probe".utf8))
            if response.status == .ok || response.status == .notFound { return address }
            if response.status == .notLeader, let leader = PeerAddress(String(decoding: response.body, as: UTF8.self)) {
                return leader
            }
        }
        return nil
    }
}
