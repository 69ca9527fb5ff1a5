import Foundation

/// Rows printed as aligned columns under a header, as `docker ps` prints them.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    init(_ header: String...) { self.header = header }

    mutating func add(_ row: [String]) { rows.append(row) }

    var text: String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n")
    }
}

/// `3s`, `5m`, `2h`, `4d`: how long ago, as `docker ps` shows it.
func age(since seconds: Double?, now: Double) -> String {
    guard let seconds, seconds > 0 else { return "-" }
    let elapsed = max(0, Int(now - seconds))
    switch elapsed {
    case ..<60: return "\(elapsed)s"
    case ..<3600: return "\(elapsed / 60)m"
    case ..<86400: return "\(elapsed / 3600)h"
    default: return "\(elapsed / 86400)d"
    }
}
