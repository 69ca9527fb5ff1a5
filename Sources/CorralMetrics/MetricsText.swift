/// Prometheus text exposition (format 0.0.4) of families sampled when `/metrics` is scraped:
/// gauges read from a status snapshot, and counters and histograms kept by their owner (an
/// actor's plain fields) rather than in a `PrometheusCollectorRegistry`.
public struct MetricsText: Sendable {
    /// The `Content-Type` of a `/metrics` answer.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A sample's labels, in order.
    public typealias Labels = [(String, String)]

    /// The text written so far.
    public private(set) var text = ""

    public init() {}

    /// One gauge family: `# HELP`, `# TYPE … gauge`, then a line per sample.
    public mutating func gauge(_ name: String, _ help: String, _ samples: [(labels: Labels, value: Double)]) {
        family(name, help, type: "gauge", samples)
    }

    /// One gauge family with a single sample.
    public mutating func gauge(_ name: String, _ help: String, _ value: Double, labels: Labels = []) {
        family(name, help, type: "gauge", [(labels, value)])
    }

    /// One counter family with a single sample; `name` ends in `_total`.
    public mutating func counter(_ name: String, _ help: String, _ value: Double, labels: Labels = []) {
        family(name, help, type: "counter", [(labels, value)])
    }

    /// One histogram family from `histogram`'s buckets, sum and count.
    public mutating func histogram(_ name: String, _ help: String, _ histogram: LatencyHistogram, labels: Labels = []) {
        header(name, help, type: "histogram")
        var cumulative: UInt64 = 0
        for (bound, count) in zip(histogram.bounds, histogram.counts) {
            cumulative += count
            line(name + "_bucket", labels + [("le", Self.number(bound))], Double(cumulative))
        }
        line(name + "_bucket", labels + [("le", "+Inf")], Double(histogram.count))
        line(name + "_sum", labels, histogram.sum)
        line(name + "_count", labels, Double(histogram.count))
    }

    /// Appends text already in the exposition format (a registry's output).
    public mutating func append(exposition: String) {
        text += exposition
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
    }

    // MARK: - Lines

    private mutating func family(_ name: String, _ help: String, type: String, _ samples: [(labels: Labels, value: Double)]) {
        header(name, help, type: type)
        for sample in samples { line(name, sample.labels, sample.value) }
    }

    private mutating func header(_ name: String, _ help: String, type: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    private mutating func line(_ name: String, _ labels: Labels, _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    /// A sample value as Prometheus writes it: integers without a fraction, `+Inf`, `NaN`.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
