import CorralChaos
import CorralTestSupport
import Foundation
import Testing

/// The iptables rules implement each partition shape: between five masters' namespaces, a
/// TCP connection is set up exactly where the partition lets packets through both ways, a UDP
/// datagram arrives exactly where it lets them through one way, and the harness reaches every
/// master whatever the partition.
@Suite(.serialized, .offCooperativePool) struct PartitionReachabilityTests {
    static let members: [UInt64] = [1, 2, 3, 4, 5]

    static let shapes: [(name: String, partition: Partition)] = [
        ("isolate m1", .isolate(1, from: members)),
        ("split m1 m2 | m3 m4 m5", .split([1, 2], from: members)),
        ("one-way from m3", .oneWay(from: 3, members: members)),
        ("bridge m5 between m1 m2 | m3 m4", .bridge(left: [1, 2], right: [3, 4])),
        ("seeded split around m4", Partition.shaped(.split, aimedAt: 4, grouping: [3, 0, 2, 1], members: members)),
        ("healed", .none),
    ]

    @Test func eachShapeCutsExactlyItsLinks() throws {
        let network = try NamespaceNetwork.create(nodes: Self.members)
        defer { network.remove() }
        var tcp: [UInt64: (socket: Int32, port: UInt16)] = [:]
        var udp: [UInt64: (socket: Int32, port: UInt16)] = [:]
        defer { for socket in tcp.values.map(\.socket) + udp.values.map(\.socket) { close(socket) } }
        for id in Self.members {
            tcp[id] = try NamespaceProbe.listener(in: network.namespace(of: id))
            udp[id] = try NamespaceProbe.listener(in: network.namespace(of: id), type: Int32(SOCK_DGRAM.rawValue))
        }
        for (name, partition) in Self.shapes {
            try network.cut(partition)
            for a in Self.members {
                for b in Self.members where a != b {
                    guard let listener = tcp[b], let receiver = udp[b] else { continue }
                    let connected = try NamespaceProbe.connects(
                        from: network.namespace(of: a), to: network.address(of: b), port: listener.port)
                    #expect(connected == (partition.reaches(a, b) && partition.reaches(b, a)), "\(name): TCP m\(a) -> m\(b)")
                    let arrived = try NamespaceProbe.datagramArrives(
                        from: network.namespace(of: a), to: network.address(of: b), port: receiver.port, receiver: receiver.socket)
                    #expect(arrived == partition.reaches(a, b), "\(name): UDP m\(a) -> m\(b)")
                }
                guard let listener = tcp[a] else { continue }
                #expect(try NamespaceProbe.connects(from: nil, to: network.address(of: a), port: listener.port), "\(name): harness -> m\(a)")
            }
            let rules = try network.rules(of: 1)
            #expect(rules.count == partition.dropsFrom(1).count + partition.dropsTo(1).count, "\(name): \(rules)")
        }
    }
}
