/// A bag of resources with Mesos's arithmetic (`src/v1/resources.cpp`).
///
/// Every resource is kept in the post-reservation-refinement format, empty resources are
/// dropped, and resources that Mesos can combine (same name, type, reservations, allocation,
/// disk, revocability and provider) are merged into one. So `cpus:1` reserved for `web` and
/// `cpus:1` unreserved stay two entries. Shared resources are never merged: each copy is
/// kept, as Mesos counts copies of a shared volume; so are resources of a type this build
/// does not know.
public struct Resources: Codable, Sendable, Equatable, RandomAccessCollection, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// The merged resources, in insertion order.
    public internal(set) var elements: [Resource]

    /// No resources.
    public init() { elements = [] }

    /// Adds each resource in turn.
    public init(_ resources: some Sequence<Resource>) {
        elements = []
        for resource in resources { add(resource) }
    }

    /// Adds each resource in turn.
    public init(arrayLiteral resources: Resource...) { self.init(resources) }

    /// Decodes a JSON array of resources and merges it.
    public init(from decoder: any Decoder) throws {
        self.init(try [Resource](from: decoder))
    }

    /// Encodes the merged resources as a JSON array.
    public func encode(to encoder: any Encoder) throws { try elements.encode(to: encoder) }

    // MARK: - Collection

    /// The first position.
    public var startIndex: Int { elements.startIndex }
    /// One past the last position.
    public var endIndex: Int { elements.endIndex }
    /// The resource at a position.
    public subscript(position: Int) -> Resource { elements[position] }

    /// Compares as Mesos does: each contains the other.
    public static func == (lhs: Resources, rhs: Resources) -> Bool {
        lhs.contains(rhs) && rhs.contains(lhs)
    }

    /// `cpus:2; mem:1024; ports:[31000-32000]{web}`.
    public var description: String {
        elements.map { resource in
            var text = resource.name + ":"
            switch resource.type {
            case .scalar: text += (resource.scalar ?? .zero).description
            case .ranges: text += (resource.ranges ?? Ranges()).description
            case .set: text += "{" + (resource.set?.item ?? []).joined(separator: ",") + "}"
            default: text += resource.type.rawValue
            }
            if let role = resource.reservationRole { text += "(\(role))" }
            if let allocated = resource.allocationInfo?.role { text += "{allocated: \(allocated)}" }
            return text
        }.joined(separator: "; ")
    }

    // MARK: - Adding and subtracting one resource

    /// Adds a resource, merging it into one that it can combine with.
    public mutating func add(_ resource: Resource) {
        let resource = resource.refined
        guard !resource.isEmptyAmount else { return }
        if resource.shared == nil, let index = elements.firstIndex(where: { $0.isAddable(with: resource) }) {
            elements[index].addAmount(of: resource)
        } else {
            elements.append(resource)
        }
    }

    /// Subtracts a resource from the one it can be subtracted from; a result that is empty
    /// or negative is removed (Mesos does the same, silently).
    public mutating func subtract(_ resource: Resource) {
        let resource = resource.refined
        guard !resource.isEmptyAmount else { return }
        guard let index = elements.firstIndex(where: { $0.isSubtractable(by: resource) }) else { return }
        if resource.shared != nil || !resource.hasArithmetic {
            elements.remove(at: index)
            return
        }
        elements[index].subtractAmount(of: resource)
        let left = elements[index]
        if left.isEmptyAmount || (left.type == .scalar && (left.scalar ?? .zero) < .zero) {
            elements.remove(at: index)
        }
    }

    /// Whether one resource held here covers `resource`.
    public func contains(_ resource: Resource) -> Bool {
        let resource = resource.refined
        if resource.isEmptyAmount { return true }
        return elements.contains { $0.covers(resource) }
    }

    /// Whether these resources cover all of `other`.
    public func contains(_ other: Resources) -> Bool {
        var remaining = self
        for resource in other.elements {
            guard remaining.contains(resource) else { return false }
            remaining.subtract(resource)
        }
        return true
    }
}
