import CorralContainer
import Foundation

/// A `/metrics` answer parsed by the real Prometheus text parser: Python's
/// `prometheus_client.parser` (Debian `python3-prometheus-client`), run on the text given on
/// its stdin. A text the parser rejects throws with the parser's message.
public struct PrometheusScrape: Sendable {
    /// One sample: its name (with `_bucket`, `_sum`, `_total` … as written), labels and value.
    public struct Sample: Sendable, Hashable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// Family name → type (`gauge`, `counter`, `histogram`, …), as the parser read them.
    public var families: [String: String]
    public var samples: [Sample]

    /// The value of the sample named `name` whose labels include `labels`; nil if none.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }?.value
    }

    static let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        families, samples = {}, []
        for family in text_string_to_metric_families(sys.stdin.read()):
            families[family.name] = family.type
            for s in family.samples:
                samples.append({"name": s.name, "labels": s.labels, "value": s.value})
        json.dump({"families": families, "samples": samples}, sys.stdout)
        """

    /// Parses `text` with `prometheus_client`.
    public static func parse(_ text: String) throws -> PrometheusScrape {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.runWithoutInheritedFiles()
        // Written from another thread: a large text could fill the pipe while the parser's
        // answer fills the other one.
        let writer = Thread {
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any],
            let families = object["families"] as? [String: String],
            let samples = object["samples"] as? [[String: Any]]
        else {
            throw PrometheusScrapeError(
                message: "prometheus_client could not parse the text (is python3-prometheus-client installed? make deps): \(complaint)")
        }
        return PrometheusScrape(
            families: families,
            samples: samples.map {
                Sample(
                    name: $0["name"] as? String ?? "", labels: $0["labels"] as? [String: String] ?? [:],
                    value: ($0["value"] as? NSNumber)?.doubleValue ?? .nan)
            })
    }
}

/// The Prometheus text parser refused a scrape.
public struct PrometheusScrapeError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
