import Foundation
import ScalingLaws

/// `envelope --plot`: every training curve as loss against C = k·N·tokens, coloured by model size, with
/// the minimum-loss envelope over them (censored points hollow), and below, N*(C) and D*(C) fitted
/// through the envelope, extrapolated to the requested budgets.
struct EnvelopePlot {
    var analysis: EnvelopeAnalysis
    var curves: [TrainingCurve]
    var predictions: [AllocationPrediction]

    func render(source: String) throws -> SVGDocument {
        let k = analysis.options.flopsPerParamToken
        let sizes = curves.map(\.params)
        let (low, high) = (sizes.min() ?? 1, sizes.max() ?? 1)
        let a = analysis.allocation
        var figure = Figure(title: "Training-curve envelope: \(curves.count) runs, \(analysis.points.count) points",
                            subtitle: "N*(C) = \(Units.flops(a.params.coefficient))·C^\(Report.number(a.params.exponent)),  "
                                + "D*(C) = \(Units.flops(a.tokens.coefficient))·C^\(Report.number(a.tokens.exponent))   (from \(source))",
                            lowerPanel: true, lowerHeight: 210)
        let flops = curves.flatMap { c in c.tokens.map { k * c.params * $0 } }
        let losses = curves.flatMap(\.losses)
        let main = figure.panel("curves", frame: figure.main, x: (.log, flops, TickLabel.flops), y: (.log, losses, TickLabel.plain))
        main.drawAxes(into: &figure.svg, xTitle: axisTitle("flops"), yTitle: "loss")
        var legend = Legend(left: Figure.legendLeft, top: figure.main.top + 8)
        for c in curves {
            let points = zip(c.tokens, c.losses).map { (k * c.params * $0, $1) }
            main.line(points, into: &figure.svg, color: Palette.logColor(c.params, low: low, high: high), width: 1.4, className: "training-curve")
        }
        legend.add("training curves, coloured by N", color: Palette.sequential(0.45), .line(dash: nil))
        main.line(analysis.points.map { ($0.flops, $0.loss) }, into: &figure.svg, color: "#222", width: 2.6, dash: "7 4", className: "envelope")
        legend.add("least loss over runs (envelope)", color: "#222", .line(dash: "7 4"))
        let fitted = analysis.points.filter { !$0.censored }, censored = analysis.points.filter(\.censored)
        main.points(fitted.map { ($0.flops, $0.loss) }, into: &figure.svg, color: Palette.frontier, radius: 3, className: "envelope-point")
        main.points(censored.map { ($0.flops, $0.loss) }, into: &figure.svg, color: Palette.neutral, radius: 3, shape: .ring,
                    className: "censored-point")
        legend.add("fitted envelope points", color: Palette.frontier, .marker(.circle))
        if !censored.isEmpty { legend.add("censored: smallest or largest N", color: Palette.neutral, .marker(.ring)) }

        let (cLow, cHigh) = (fitted.map(\.flops).min() ?? flops.min()!, fitted.map(\.flops).max() ?? flops.max()!)
        let grid = AllocationView.budgetGrid(low: cLow, high: cHigh, requested: predictions.map(\.flops))
        var view = AllocationView(curve: .init(try grid.map { try analysis.predict(flops: $0) }),
                                  points: fitted.map { ($0.flops, $0.params, $0.tokens) })
        view.pointLabel = "envelope points"
        view.extrapolationFrom = cHigh
        view.targets = predictions.map { ($0.flops, $0.params, $0.tokens) }
        view.draw(into: &figure, frame: figure.lower, id: "allocation", legend: &legend)
        return figure.finish(legend: legend, colorBar: ("model size N", low, high, TickLabel.count))
    }
}
