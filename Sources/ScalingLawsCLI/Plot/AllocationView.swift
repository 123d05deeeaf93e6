import Foundation
import ScalingLaws

/// N*(C) and D*(C) against C on log–log axes, as lines with their interval bands and the points they
/// were fitted to or evaluated at. Shared by `isoflop` and `optimal`.
struct AllocationView {
    struct Curve {
        var flops: [Double]
        var params: [Double]
        var tokens: [Double]
        var paramsBand: (low: [Double], high: [Double])?
        var tokensBand: (low: [Double], high: [Double])?

        init(flops: [Double], params: [Double], tokens: [Double],
             paramsBand: (low: [Double], high: [Double])? = nil, tokensBand: (low: [Double], high: [Double])? = nil) {
            (self.flops, self.params, self.tokens) = (flops, params, tokens)
            (self.paramsBand, self.tokensBand) = (paramsBand, tokensBand)
        }

        /// The curve through predicted allocations, with bands when every prediction has intervals.
        init(_ predictions: [AllocationPrediction]) {
            self.init(flops: predictions.map(\.flops), params: predictions.map(\.params), tokens: predictions.map(\.tokens))
            if predictions.allSatisfy({ $0.paramsInterval != nil && $0.tokensInterval != nil }) {
                paramsBand = (predictions.map { $0.paramsInterval!.low }, predictions.map { $0.paramsInterval!.high })
                tokensBand = (predictions.map { $0.tokensInterval!.low }, predictions.map { $0.tokensInterval!.high })
            }
        }
    }

    var curve: Curve
    /// Points of N* and D*: (C, N*, D*), e.g. the budgets' optima.
    var points: [(Double, Double, Double)] = []
    /// The legend entry of the points; nil when the upper panel's legend already names them.
    var pointLabel: String? = "budget optima"
    var pointMarker: Marker = .circle
    /// Requested budgets: (C, N*, D*), marked with stars.
    var targets: [(Double, Double, Double)] = []
    /// Whether the legend gets an entry for the requested budgets (off when another panel has one).
    var targetsInLegend = true
    /// Where extrapolation begins (the largest budget measured), if anywhere.
    var extrapolationFrom: Double?

    /// Budgets for the curves: from `low` to the largest requested budget, or a decade past `high`.
    static func budgetGrid(low: Double, high: Double, requested: [Double]) -> [Double] {
        logGrid(min(low, requested.min() ?? low), max(requested.max() ?? 0, high * 10), count: 50)
    }

    func draw(into figure: inout Figure, frame: (left: Double, top: Double, width: Double, height: Double), id: String,
              legend: inout Legend) {
        var ys = curve.params + curve.tokens + (points + targets).flatMap { [$0.1, $0.2] }
        if let b = curve.paramsBand { ys += b.low + b.high }
        if let b = curve.tokensBand { ys += b.low + b.high }
        let panel = figure.panel(id, frame: frame, x: (.log, curve.flops + (points + targets).map(\.0), TickLabel.flops),
                                 y: (.log, ys, TickLabel.count))
        panel.drawAxes(into: &figure.svg, xTitle: axisTitle("flops"), yTitle: "N* (parameters), D* (tokens)")
        if let start = extrapolationFrom { panel.shadeRight(from: start, into: &figure.svg, label: "extrapolation") }
        if let b = curve.paramsBand { panel.band(curve.flops, low: b.low, high: b.high, into: &figure.svg, color: Palette.frontier) }
        if let b = curve.tokensBand { panel.band(curve.flops, low: b.low, high: b.high, into: &figure.svg, color: Palette.tokens) }
        panel.line(Array(zip(curve.flops, curve.params)), into: &figure.svg, color: Palette.frontier, width: 2, className: "params-law")
        panel.line(Array(zip(curve.flops, curve.tokens)), into: &figure.svg, color: Palette.tokens, width: 2, className: "tokens-law")
        panel.points(points.map { ($0.0, $0.1) }, into: &figure.svg, color: Palette.frontier, radius: 5, shape: pointMarker, className: "optimum-params")
        panel.points(points.map { ($0.0, $0.2) }, into: &figure.svg, color: Palette.tokens, radius: 5, shape: pointMarker, className: "optimum-tokens")
        panel.points(targets.map { ($0.0, $0.1) }, into: &figure.svg, color: Palette.frontier, radius: 9, shape: .star, className: "target-params")
        panel.points(targets.map { ($0.0, $0.2) }, into: &figure.svg, color: Palette.tokens, radius: 9, shape: .star, className: "target-tokens")
        // Labels centred on their own star: N* below it, D* above it (N* < D* on the shared axis).
        for t in targets where panel.contains(t.0, t.1) && panel.contains(t.0, t.2) {
            let x = min(max(panel.x(t.0), panel.left + 30), panel.right - 30)
            figure.svg.text("N* \(Units.count(t.1, digits: 3))", x: x, y: panel.y(t.1) + 22, size: 11, anchor: "middle", fill: Palette.frontier)
            figure.svg.text("D* \(Units.count(t.2, digits: 3))", x: x, y: panel.y(t.2) - 13, size: 11, anchor: "middle", fill: Palette.tokens)
        }
        legend.add("N*(C): optimal parameters", color: Palette.frontier, .line(dash: nil))
        legend.add("D*(C): optimal tokens", color: Palette.tokens, .line(dash: nil))
        if curve.paramsBand != nil { legend.add("interval band", color: Palette.neutral, .band) }
        if !points.isEmpty, let pointLabel { legend.add(pointLabel, color: Palette.neutral, .marker(pointMarker)) }
        if !targets.isEmpty && targetsInLegend { legend.add("requested budgets", color: Palette.neutral, .marker(.star)) }
    }
}
