/// `Filters`: `{"refuse_seconds"}`, how long the allocator keeps declined resources away.
public struct Filters: Codable, Hashable, Sendable {
    /// The proto default of `refuse_seconds`.
    public static let defaultRefuseSeconds = 5.0

    /// Seconds to refuse the declined resources (5 when unset, as in Mesos).
    public var refuseSeconds: Double

    enum CodingKeys: String, CodingKey { case refuseSeconds = "refuse_seconds" }

    /// Makes filters.
    public init(refuseSeconds: Double = Filters.defaultRefuseSeconds) { self.refuseSeconds = refuseSeconds }

    /// Decodes `{"refuse_seconds"?}`; a missing value is the default.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        refuseSeconds =
            try container.decodeIfPresent(Double.self, forKey: .refuseSeconds) ?? Filters.defaultRefuseSeconds
    }
}
