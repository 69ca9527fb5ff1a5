import CorralContainer
import Testing

/// `-p` and subnets: what they accept, and what they say about what they refuse.
@Suite struct PortMappingTests {
    @Test func portMappingsParseAsDockerWritesThem() throws {
        #expect(try PortMapping(parsing: "8080:80") == PortMapping(hostPort: 8080, containerPort: 80))
        #expect(try PortMapping(parsing: "5353:53/udp") == PortMapping(hostPort: 5353, containerPort: 53, transport: .udp))
        #expect(try PortMapping(parsing: "1:65535/TCP").containerPort == 65535)
        for bad in ["8080", "0:80", "8080:70000", "a:b", "80:80/sctp", "1:2:3", ""] {
            #expect(throws: ContainerError.self, "\(bad)") { try PortMapping(parsing: bad) }
        }
        do {
            _ = try PortMapping(parsing: "80")
        } catch let error as ContainerError {
            #expect(error.description.contains("HOSTPORT:CONTAINERPORT"))
        }
    }

    @Test func aSubnetGivesTheBridgeItsFirstAddressAndContainersTheRest() throws {
        let subnet = try IPv4Subnet(parsing: "10.88.0.0/16")
        #expect(IPv4Subnet.text(subnet.gateway) == "10.88.0.1")
        #expect(IPv4Subnet.text(subnet.hosts.lowerBound) == "10.88.0.2")
        #expect(IPv4Subnet.text(subnet.hosts.upperBound) == "10.88.255.254")
        #expect(try IPv4Subnet(parsing: "192.168.7.0/30").hosts.count == 1)
        for bad in ["10.88.0.1/16", "10.88.0.0", "10.88.0.0/31", "300.1.1.0/24", "10.88.0.0/x"] {
            #expect(throws: ContainerError.self, "\(bad)") { try IPv4Subnet(parsing: bad) }
        }
    }
}
