/// An IPv4 subnet such as `10.88.0.0/16`: the bridge's address is its first host address,
/// containers get the ones after it.
public struct IPv4Subnet: Sendable, Equatable, CustomStringConvertible {
    /// The network address, host byte order.
    public let base: UInt32
    public let prefixLength: Int

    /// Parses `a.b.c.d/len`, with `len` from 8 to 30 and no host bits set.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), (8...30).contains(length),
            let address = Self.address(String(parts[0]))
        else {
            throw ContainerError(
                .invalidArgument, stage: "subnet '\(text)'",
                cause: "write it as a.b.c.d/len with len from 8 to 30, for example 10.88.0.0/16")
        }
        let mask = UInt32.max << UInt32(32 - length)
        guard address & ~mask == 0 else {
            throw ContainerError(
                .invalidArgument, stage: "subnet '\(text)'",
                cause: "it has host bits set; the network address is \(Self.text(address & mask))/\(length)")
        }
        base = address
        prefixLength = length
    }

    public var description: String { "\(Self.text(base))/\(prefixLength)" }
    /// The bridge's (the gateway's) address.
    public var gateway: UInt32 { base + 1 }
    /// The first and last addresses a container may get.
    public var hosts: ClosedRange<UInt32> { (base + 2)...(base + (UInt32(1) << UInt32(32 - prefixLength)) - 2) }

    /// `a.b.c.d` as a number, or nil.
    public static func address(_ text: String) -> UInt32? {
        let bytes = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt8($0) }
        guard bytes.count == 4, bytes.allSatisfy({ $0 != nil }) else { return nil }
        return bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1!) }
    }

    /// A number as `a.b.c.d`.
    public static func text(_ address: UInt32) -> String {
        [24, 16, 8, 0].map { String((address >> UInt32($0)) & 0xff) }.joined(separator: ".")
    }
}
