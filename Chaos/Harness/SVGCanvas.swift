import Foundation

/// The few SVG shapes `ReportPage` draws, on a time axis: x is seconds times `scale`, after
/// `left` points of labels.
struct SVGCanvas {
    var width: Double
    var scale: Double
    var left: Double
    private var shapes: [String] = []

    init(width: Double, scale: Double, left: Double) {
        self.width = width
        self.scale = scale
        self.left = left
    }

    func x(_ seconds: Double) -> Double { left + seconds * scale }

    /// The time axis with a tick every second (every 5 or 10 on long runs).
    mutating func axis(y: Double, end: Double) {
        let step = end > 120 ? 10.0 : end > 40 ? 5.0 : 1.0
        shapes.append(line(x(0), y, x(end), y, "#000"))
        var second = 0.0
        while second <= end {
            shapes.append(line(x(second), y - 4, x(second), y + 4, "#000"))
            shapes.append(#"<text x="\#(f(x(second)))" y="\#(f(y - 7))" font-size="10" text-anchor="middle">\#(Int(second))</text>"#)
            second += step
        }
    }

    mutating func label(_ text: String, y: Double) {
        shapes.append(#"<text x="4" y="\#(f(y))" font-size="12">\#(ReportPage.escape(text))</text>"#)
    }

    mutating func text(_ text: String, x seconds: Double, y: Double, anchor: String, color: String) {
        shapes.append(
            #"<text x="\#(f(x(seconds) + 2))" y="\#(f(y))" font-size="11" fill="\#(color)" text-anchor="\#(anchor)">\#(ReportPage.escape(text))</text>"#)
    }

    mutating func bar(from: Double, to: Double, y: Double, height: Double, fill: String, title: String) {
        shapes.append(
            #"<rect x="\#(f(x(from)))" y="\#(f(y))" width="\#(f(max(1, (to - from) * scale)))" height="\#(f(height))" fill="\#(fill)"><title>\#(ReportPage.escape(title))</title></rect>"#)
    }

    /// A translucent band over the whole height of the lanes, for a fault.
    mutating func shade(from: Double, to: Double, top: Double, bottom: Double, title: String) {
        let red = "#d33"
        shapes.append(
            #"<rect x="\#(f(x(from)))" y="\#(f(top))" width="\#(f(max(1, (to - from) * scale)))" height="\#(f(bottom - top))" fill="\#(red)" fill-opacity="0.18"><title>\#(ReportPage.escape(title))</title></rect>"#)
    }

    /// A line chart of one value per second, scaled to its maximum (or `scaleTo`), with that
    /// maximum written at the top.
    mutating func chart(_ values: [Double], top: Double, height: Double, color: String, unit: String, scaleTo: Double? = nil) {
        let peak = max(scaleTo ?? values.max() ?? 0, 1e-9)
        let points = values.enumerated().map { second, value in
            "\(f(x(Double(second) + 0.5))),\(f(top + height - value / peak * height))"
        }
        shapes.append(line(x(0), top + height, width - 10, top + height, "#999"))
        if !points.isEmpty {
            shapes.append(#"<polyline fill="none" stroke="\#(color)" stroke-width="1.5" points="\#(points.joined(separator: " "))"/>"#)
        }
        let legendY = top + (scaleTo == nil ? 10 : 22)
        shapes.append(
            #"<text x="\#(f(width - 12))" y="\#(f(legendY))" font-size="10" fill="\#(color)" text-anchor="end">\#(unit), peak \#(String(format: "%.1f", values.max() ?? 0))</text>"#)
    }

    func finish(height: Double) -> String {
        #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(f(width))" height="\#(f(height))" viewBox="0 0 \#(f(width)) \#(f(height))">"#
            + "\n" + shapes.joined(separator: "\n") + "\n</svg>"
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ color: String) -> String {
        #"<line x1="\#(f(x1))" y1="\#(f(y1))" x2="\#(f(x2))" y2="\#(f(y2))" stroke="\#(color)"/>"#
    }

    private func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
