/// `Value.Scalar`: `{"value": Double}`, held as Mesos computes with it, in fixed point.
///
/// Mesos keeps three decimal digits: it converts a scalar to integer thousandths with
/// `llround(value * 1000)`, computes, and converts back as `millis / 1000 + (millis % 1000)
/// / 1000.0` (`src/v1/values.cpp`, `convertToFixed` / `convertToFloating`). Corral stores the
/// thousandths, so `0.1 + 0.2 == 0.3` exactly and subtracting what was added gives back the
/// original. Precision beyond three digits is dropped on decode, as Mesos drops it on arithmetic.
public struct Scalar: Codable, Hashable, Sendable, Comparable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral
{
    /// The value in thousandths.
    public var millis: Int64

    /// The largest magnitude accepted: 9e15, so thousandths (9e18) stay below `Int64.max`
    /// (about 9.22e18) even after rounding.
    static let limit = 9.0e15

    /// The thousandths of `limit`.
    static let limitMillis: Int64 = 9_000_000_000_000_000_000

    /// Makes a scalar from thousandths.
    public init(millis: Int64) { self.millis = millis }

    /// Rounds a value to thousandths; `nil` when it is not finite or too large.
    public init?(exactly value: Double) {
        guard value.isFinite, abs(value) <= Scalar.limit else { return nil }
        millis = Int64((value * 1000).rounded(.toNearestOrAwayFromZero))
    }

    /// Rounds a value to thousandths, clamping what is out of range (NaN becomes 0).
    public init(_ value: Double) {
        if let exact = Scalar(exactly: value) {
            self = exact
        } else {
            millis = value.isNaN ? 0 : (value < 0 ? -Scalar.limitMillis : Scalar.limitMillis)
        }
    }

    /// Makes a scalar from a literal.
    public init(floatLiteral value: Double) { self.init(value) }
    /// Makes a scalar from a literal.
    public init(integerLiteral value: Int64) { self.init(Double(value)) }

    /// The value as Mesos converts it back to floating point.
    public var value: Double {
        Double(millis / 1000) + Double(millis % 1000) / 1000.0
    }

    /// Zero.
    public static let zero = Scalar(millis: 0)

    /// The value, e.g. `0.3`.
    public var description: String { "\(value)" }

    /// Orders by fixed-point value.
    public static func < (lhs: Scalar, rhs: Scalar) -> Bool { lhs.millis < rhs.millis }
    /// Adds in fixed point, saturating instead of overflowing.
    public static func + (lhs: Scalar, rhs: Scalar) -> Scalar {
        let (sum, overflow) = lhs.millis.addingReportingOverflow(rhs.millis)
        guard overflow else { return Scalar(millis: sum) }
        return Scalar(millis: rhs.millis > 0 ? .max : .min)
    }

    /// Subtracts in fixed point, saturating instead of overflowing.
    public static func - (lhs: Scalar, rhs: Scalar) -> Scalar {
        let (difference, overflow) = lhs.millis.subtractingReportingOverflow(rhs.millis)
        guard overflow else { return Scalar(millis: difference) }
        return Scalar(millis: rhs.millis < 0 ? .max : .min)
    }
    /// Adds in place.
    public static func += (lhs: inout Scalar, rhs: Scalar) { lhs = lhs + rhs }
    /// Subtracts in place.
    public static func -= (lhs: inout Scalar, rhs: Scalar) { lhs = lhs - rhs }

    enum CodingKeys: String, CodingKey { case value }

    /// Decodes `{"value": Double}`; a non-finite or huge value is a typed error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try container.decode(Double.self, forKey: .value)
        guard let scalar = Scalar(exactly: raw) else {
            throw DecodingError.dataCorruptedError(
                forKey: .value,
                in: container,
                debugDescription:
                    "\(ModelError(.invalidScalar, "scalar \(raw) is not finite or exceeds \(Scalar.limit)"))"
            )
        }
        self = scalar
    }

    /// Encodes `{"value": Double}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
    }
}
