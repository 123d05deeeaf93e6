import Foundation

/// A rectangle of a ``SVGDocument`` with an x and a y scale: draws axes, grid, ticks and labels, and
/// data (points, lines, bands, shaded regions) clipped to the plot area.
///
/// Every plot kind of the CLI is made of panels; a new kind needs only to choose its scales and call
/// these primitives.
struct Panel: Sendable {
    /// Plot area in pixels.
    var left, top, width, height: Double
    var x: Scale
    var y: Scale
    /// Unique id of the clip path.
    var id: String

    /// A panel whose scales cover `xs` and `ys`.
    init(id: String, left: Double, top: Double, width: Double, height: Double,
         x: (kind: Scale.Kind, values: [Double], label: @Sendable (Double) -> String),
         y: (kind: Scale.Kind, values: [Double], label: @Sendable (Double) -> String), yPadding: Double = 0.06) {
        self.id = id
        (self.left, self.top, self.width, self.height) = (left, top, width, height)
        self.x = Scale(x.kind, covering: x.values, range: (left, left + width), padding: 0.04, label: x.label)
        self.y = Scale(y.kind, covering: y.values, range: (top + height, top), padding: yPadding, label: y.label)
    }

    var right: Double { left + width }
    var bottom: Double { top + height }
    private var clip: String { "clip-path=\"url(#\(id))\"" }

    /// True when the point lies inside the plot area.
    func contains(_ px: Double, _ py: Double) -> Bool {
        x.contains(px) && y.contains(py)
    }

    /// Frame, grid, ticks, tick labels, axis titles and the clip path of the data.
    func drawAxes(into svg: inout SVGDocument, xTitle: String, yTitle: String) {
        svg.define("<clipPath id=\"\(id)\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width))\" height=\"\(f(height))\"/></clipPath>")
        svg.add("<g class=\"axes\">")
        let xt = x.ticks(), yt = y.ticks()
        for v in xt.minor { svg.add(line(x(v), top, x(v), bottom, stroke: "#f0f0f0")) }
        for v in yt.minor { svg.add(line(left, y(v), right, y(v), stroke: "#f0f0f0")) }
        for v in xt.major {
            svg.add(line(x(v), top, x(v), bottom, stroke: "#dddddd"))
            svg.add(line(x(v), bottom, x(v), bottom + 5, stroke: "#444"))
            svg.text(x.label(v), x: x(v), y: bottom + 18, size: 11, anchor: "middle")
        }
        for v in yt.major {
            svg.add(line(left, y(v), right, y(v), stroke: "#dddddd"))
            svg.add(line(left - 5, y(v), left, y(v), stroke: "#444"))
            svg.text(y.label(v), x: left - 8, y: y(v) + 4, size: 11, anchor: "end")
        }
        svg.add("<rect class=\"plot-area\" x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"none\" stroke=\"#444\"/>")
        svg.text(xTitle, x: left + width / 2, y: bottom + 36, size: 12, anchor: "middle")
        svg.text(yTitle, x: left - 52, y: top + height / 2, size: 12, anchor: "middle", rotate: -90)
        svg.add("</g>")
    }

    /// Markers at data points (non-finite or non-positive values on a log axis are skipped).
    func points(_ data: [(Double, Double)], into svg: inout SVGDocument, color: String, radius: Double = 3.5,
                shape: Marker = .circle, className: String = "point") {
        var parts = ["<g class=\"\(className)\" \(clip)>"]
        for (u, v) in data where contains(u, v) {
            parts.append(shape.svg(x: x(u), y: y(v), radius: radius, color: color))
        }
        parts.append("</g>")
        svg.add(parts.joined(separator: "\n"))
    }

    /// A polyline through the points that can be drawn.
    func line(_ data: [(Double, Double)], into svg: inout SVGDocument, color: String, width: Double = 1.8,
              dash: String? = nil, className: String = "curve") {
        let drawable = data.filter { x.canPlace($0.0) && y.canPlace($0.1) }
        guard drawable.count >= 2 else { return }
        let path = drawable.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ")
        let dashes = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        svg.add("<polyline class=\"\(className)\" \(clip) points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(f(width))\"\(dashes)/>")
    }

    /// A filled band between `low` and `high` over the same x values.
    func band(_ xs: [Double], low: [Double], high: [Double], into svg: inout SVGDocument, color: String, opacity: Double = 0.2,
              edges: Bool = false) {
        let upper = zip(xs, high).filter { x.canPlace($0.0) && y.canPlace($0.1) }.map { "\(f(x($0.0))),\(f(y($0.1)))" }
        let lower = zip(xs, low).filter { x.canPlace($0.0) && y.canPlace($0.1) }.reversed().map { "\(f(x($0.0))),\(f(y($0.1)))" }
        guard upper.count >= 2, lower.count >= 2 else { return }
        svg.add("<polygon class=\"band\" \(clip) points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"\(f(opacity))\" stroke=\"none\"/>")
        // Edges drawn as thin lines keep a narrow band visible next to the curve it surrounds.
        if edges {
            for side in [upper, Array(lower.reversed())] {
                svg.add("<polyline class=\"band-edge\" \(clip) points=\"\(side.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"0.9\" stroke-dasharray=\"3 2\"/>")
            }
        }
    }

    /// Shades the x range from `from` to the right edge (the extrapolation region) and labels it.
    func shadeRight(from start: Double, into svg: inout SVGDocument, label: String) {
        guard x.contains(start) else { return }
        let px = x(start)
        svg.add("<rect class=\"extrapolation\" x=\"\(f(px))\" y=\"\(f(top))\" width=\"\(f(right - px))\" height=\"\(f(height))\" fill=\"#f4ecdc\" fill-opacity=\"0.7\"/>")
        svg.add(line(px, top, px, bottom, stroke: "#b08a4a", dash: "4 3"))
        if right - px > 80 { svg.text(label, x: px + 6, y: bottom - 6, size: 11, fill: "#8a6a30") }
    }

    /// A vertical error bar at `u` from `low` to `high`.
    func errorBar(at u: Double, low: Double, high: Double, into svg: inout SVGDocument, color: String) {
        guard x.contains(u), low.isFinite, high.isFinite else { return }
        let px = x(u), a = y(max(low, y.domain.lowerBound)), b = y(min(high, y.domain.upperBound))
        svg.add("<g class=\"errorbar\" \(clip)>" + line(px, a, px, b, stroke: color) + line(px - 4, a, px + 4, a, stroke: color)
                + line(px - 4, b, px + 4, b, stroke: color) + "</g>")
    }

    /// A horizontal reference line at `v`.
    func horizontal(_ v: Double, into svg: inout SVGDocument, color: String = "#666", dash: String = "5 4") {
        guard y.contains(v) else { return }
        svg.add(line(left, y(v), right, y(v), stroke: color, dash: dash))
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, dash: String? = nil) -> String {
        let dashes = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        return "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(stroke)\"\(dashes)/>"
    }
}

/// Marker shapes.
enum Marker: Sendable {
    case circle, ring, diamond, star

    func svg(x: Double, y: Double, radius r: Double, color: String) -> String {
        switch self {
        case .circle:
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(color)\" fill-opacity=\"0.85\" stroke=\"white\" stroke-width=\"0.5\"/>"
        case .ring:
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"white\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        case .diamond:
            return "<polygon points=\"\(f(x)),\(f(y - r)) \(f(x + r)),\(f(y)) \(f(x)),\(f(y + r)) \(f(x - r)),\(f(y))\" fill=\"\(color)\" stroke=\"white\" stroke-width=\"0.8\"/>"
        case .star:
            let points = (0..<10).map { i -> String in
                let angle = Double(i) * .pi / 5 - .pi / 2, radius = i % 2 == 0 ? r : r * 0.45
                return "\(f(x + radius * cos(angle))),\(f(y + radius * sin(angle)))"
            }
            return "<polygon points=\"\(points.joined(separator: " "))\" fill=\"\(color)\" stroke=\"#222\" stroke-width=\"0.8\"/>"
        }
    }
}
