import Foundation
import CorralModel

/// Reading the masters' and agents' JSON in the CLI.
extension JSONValue {
    /// A string, or a number written as text.
    var text: String? {
        switch self {
        case .string(let value): value
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .integer(let value): String(value)
        case .bool(let value): String(value)
        default: nil
        }
    }

    var double: Double? {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        case .string(let value): Double(value)
        default: nil
        }
    }

    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }

    var list: [JSONValue] { if case .array(let values) = self { values } else { [] } }

    var fields: [String: JSONValue] { if case .object(let values) = self { values } else { [:] } }

    /// The value pretty-printed with sorted keys, for `--json`.
    var pretty: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
