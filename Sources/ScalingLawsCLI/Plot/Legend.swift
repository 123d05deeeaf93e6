import Foundation

/// The legend column to the right of the panels, and the colour bar of a sequential palette.
struct Legend: Sendable {
    enum Symbol: Sendable { case marker(Marker), line(dash: String?), band }

    var left: Double
    var top: Double
    private var entries: [(label: String, color: String, symbol: Symbol)] = []

    init(left: Double, top: Double) {
        self.left = left
        self.top = top
    }

    mutating func add(_ label: String, color: String, _ symbol: Symbol) {
        entries.append((label, color, symbol))
    }

    /// Draws the entries one per line; returns the y below the last one.
    @discardableResult
    func draw(into svg: inout SVGDocument) -> Double {
        var y = top
        svg.add("<g class=\"legend\">")
        for e in entries {
            switch e.symbol {
            case let .marker(m): svg.add(m.svg(x: left + 10, y: y - 4, radius: 5, color: e.color))
            case let .line(dash):
                let dashes = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                svg.add("<line x1=\"\(f(left))\" y1=\"\(f(y - 4))\" x2=\"\(f(left + 20))\" y2=\"\(f(y - 4))\" stroke=\"\(e.color)\" stroke-width=\"2\"\(dashes)/>")
            case .band:
                svg.add("<rect x=\"\(f(left))\" y=\"\(f(y - 10))\" width=\"20\" height=\"12\" fill=\"\(e.color)\" fill-opacity=\"0.3\"/>")
            }
            svg.text(e.label, x: left + 28, y: y, size: 11)
            y += 19
        }
        svg.add("</g>")
        return y
    }

    /// A vertical colour bar for `scale` (log or linear) with its title and tick labels.
    static func colorBar(title: String, low: Double, high: Double, log isLog: Bool, label: @escaping @Sendable (Double) -> String,
                         left: Double, top: Double, height: Double = 160, into svg: inout SVGDocument) {
        let stops = (0...8).map { i -> String in
            let t = Double(i) / 8
            return "<stop offset=\"\(f(100 * t))%\" stop-color=\"\(Palette.sequential(0.9 * (1 - t)))\"/>"
        }
        svg.define("<linearGradient id=\"colorbar\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">\(stops.joined())</linearGradient>")
        svg.text(title, x: left, y: top, size: 11, weight: "bold")
        let barTop = top + 16
        svg.add("<rect class=\"colorbar\" x=\"\(f(left))\" y=\"\(f(barTop))\" width=\"14\" height=\"\(f(height))\" fill=\"url(#colorbar)\" stroke=\"#888\" stroke-width=\"0.5\"/>")
        let scale = Scale(isLog ? .log : .linear, covering: [low, high], range: (barTop + height, barTop), padding: 0, label: label)
        var ticks = scale.ticks().major
        if ticks.count < 2 { ticks = [low, high] }
        for v in ticks where scale.contains(v) {
            svg.add("<line x1=\"\(f(left + 14))\" y1=\"\(f(scale(v)))\" x2=\"\(f(left + 18))\" y2=\"\(f(scale(v)))\" stroke=\"#444\"/>")
            svg.text(label(v), x: left + 22, y: scale(v) + 4, size: 10)
        }
    }
}

/// Colours: a sequential scale (viridis) for model size or budget, and fixed colours for roles.
enum Palette {
    static let fit = "#c0392b"
    static let frontier = "#1f4e9c"
    static let heldOut = "#d35400"
    static let tokens = "#2e8b57"
    static let neutral = "#555555"

    /// Viridis at t in [0, 1], interpolated between nine stops.
    static func sequential(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (68, 1, 84), (71, 44, 122), (59, 81, 139), (44, 113, 142), (33, 144, 141),
            (39, 173, 129), (92, 200, 99), (170, 220, 50), (253, 231, 37),
        ]
        let u = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(u), stops.count - 2), w = u - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * w).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// The colour of `value` on a log scale from `low` to `high` (darkest at the smallest value).
    static func logColor(_ value: Double, low: Double, high: Double) -> String {
        guard high > low, value > 0 else { return sequential(0.5) }
        return sequential(0.9 * (log(value) - log(low)) / (log(high) - log(low)))
    }
}
