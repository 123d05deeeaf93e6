import Foundation

/// The layout shared by the plot kinds: a title, a main panel, an optional lower panel (residuals, or a
/// second view), and a legend column on the right.
struct Figure: Sendable {
    static let width = 940.0
    static let panelLeft = 84.0
    static let panelWidth = 600.0
    static let legendLeft = 712.0

    var svg: SVGDocument
    let hasLowerPanel: Bool
    /// Height of the lower panel.
    let lowerHeight: Double

    init(title: String, subtitle: String?, lowerPanel: Bool, lowerHeight: Double = 120) {
        hasLowerPanel = lowerPanel
        self.lowerHeight = lowerHeight
        svg = SVGDocument(width: Self.width, height: lowerPanel ? 700 : 540)
        svg.text(title, x: Self.panelLeft, y: 24, size: 15, weight: "bold")
        if let subtitle { svg.text(Self.fitting(subtitle, characters: 135), x: Self.panelLeft, y: 42, size: 11, fill: "#555") }
    }

    /// `text` cut to `characters`, with an ellipsis, so that it stays inside the image.
    static func fitting(_ text: String, characters: Int) -> String {
        text.count <= characters ? text : String(text.prefix(characters - 1)) + "…"
    }

    /// The main panel's frame.
    var main: (left: Double, top: Double, width: Double, height: Double) {
        (Self.panelLeft, 62, Self.panelWidth, hasLowerPanel ? 640 - lowerHeight - 60 - 62 : 420)
    }

    /// The lower panel's frame.
    var lower: (left: Double, top: Double, width: Double, height: Double) {
        (Self.panelLeft, 640 - lowerHeight, Self.panelWidth, lowerHeight)
    }

    /// Draws the legend and, below it, the colour bar of a log-scaled quantity; returns the image.
    mutating func finish(legend: Legend, colorBar: (title: String, low: Double, high: Double, label: @Sendable (Double) -> String)?,
                         colorBarHeight: Double = 120) -> SVGDocument {
        let below = legend.draw(into: &svg)
        if let c = colorBar {
            Legend.colorBar(title: c.title, low: c.low, high: c.high, log: true, label: c.label,
                            left: Self.legendLeft, top: below + 16, height: colorBarHeight, into: &svg)
        }
        return svg
    }

    func panel(_ id: String, frame: (left: Double, top: Double, width: Double, height: Double),
               x: (kind: Scale.Kind, values: [Double], label: @Sendable (Double) -> String),
               y: (kind: Scale.Kind, values: [Double], label: @Sendable (Double) -> String)) -> Panel {
        Panel(id: id, left: frame.left, top: frame.top, width: frame.width, height: frame.height, x: x, y: y)
    }
}

/// Values evenly spaced in log space from `low` to `high`.
func logGrid(_ low: Double, _ high: Double, count: Int = 60) -> [Double] {
    guard low > 0, high > low, count >= 2 else { return [low, high].filter { $0 > 0 } }
    let a = log(low), b = log(high)
    return (0..<count).map { exp(a + (b - a) * Double($0) / Double(count - 1)) }
}

/// Up to `count` values of `values` spread evenly in log space (quantiles of the distinct values).
func representatives(_ values: [Double], count: Int) -> [Double] {
    let distinct = Array(Set(values.filter { $0 > 0 })).sorted()
    guard distinct.count > count else { return distinct }
    return (0..<count).map { i in distinct[Int((Double(i) / Double(count - 1) * Double(distinct.count - 1)).rounded())] }
}

/// Axis titles of run variables.
func axisTitle(_ variable: String) -> String {
    switch variable {
    case "params": return "parameters N"
    case "tokens": return "training tokens D"
    case "flops": return "training compute C (FLOPs)"
    default: return variable
    }
}
