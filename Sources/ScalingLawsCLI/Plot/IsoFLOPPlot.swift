import Foundation
import ScalingLaws

/// `isoflop --plot`: loss against N per budget with the fitted profiles and their minima, and below,
/// the N*(C) and D*(C) laws through the minima with their bootstrap bands, extrapolated to the
/// requested budgets.
struct IsoFLOPPlot {
    var analysis: IsoFLOPAnalysis
    var runs: [Run]
    var predictions: [AllocationPrediction]

    func render(source: String) throws -> SVGDocument {
        let options = analysis.options
        let groups = try options.budgetColumn.map { try BudgetGrouping.byColumn(runs, column: $0) }
            ?? BudgetGrouping.byClustering(runs, tolerance: options.budgetTolerance)
        let budgets = groups.map(\.flops)
        let (low, high) = (budgets.min() ?? 1, budgets.max() ?? 1)
        func color(_ c: Double) -> String { Palette.logColor(c, low: low, high: high) }

        let a = analysis.allocation
        var figure = Figure(title: "IsoFLOP profiles: \(analysis.budgets.count) budgets, \(analysis.runs) runs",
                            subtitle: "N*(C) = \(Units.flops(a.params.coefficient))·C^\(Report.number(a.params.exponent)),  "
                                + "D*(C) = \(Units.flops(a.tokens.coefficient))·C^\(Report.number(a.tokens.exponent))   (from \(source))",
                            lowerPanel: true, lowerHeight: 210)
        let params = runs.compactMap(\.params), losses = runs.compactMap(\.loss)
        let main = figure.panel("profiles", frame: figure.main, x: (.log, params, TickLabel.count), y: (.log, losses, TickLabel.plain))
        main.drawAxes(into: &figure.svg, xTitle: axisTitle("params"), yTitle: "loss")
        var legend = Legend(left: Figure.legendLeft, top: figure.main.top + 8)
        for group in groups {
            let points = group.runs.compactMap { r in r.params.flatMap { n in r.loss.map { (n, $0) } } }
            main.points(points, into: &figure.svg, color: color(group.flops), radius: 3.5, className: "run")
        }
        // Each budget's fitted profile over the sizes it describes.
        for b in analysis.budgets {
            main.line(b.curve, into: &figure.svg, color: color(b.flops), width: 1.6, className: "profile")
        }
        legend.add("\(options.minimum.rawValue) profile in ln N per budget", color: Palette.neutral, .line(dash: nil))
        main.points(analysis.budgets.map { ($0.params, $0.loss) }, into: &figure.svg, color: "#ffcc00", radius: 8, shape: .star,
                    className: "minimum")
        legend.add("runs, coloured by budget", color: Palette.sequential(0.45), .marker(.circle))
        legend.add("minimum of each budget", color: "#ffcc00", .marker(.star))
        for r in analysis.skipped {
            legend.add("skipped: \(Units.flops(r.flops)) FLOPs", color: Palette.neutral, .marker(.ring))
        }

        // N*(C) and D*(C), extrapolated to the requested budgets (or a decade past the data).
        let grid = AllocationView.budgetGrid(low: low, high: high, requested: predictions.map(\.flops))
        let curve = AllocationView.Curve(try grid.map { try analysis.predict(flops: $0) })
        var view = AllocationView(curve: curve, points: analysis.budgets.map { ($0.flops, $0.params, $0.tokens) })
        view.pointLabel = nil  // the minima of the profiles, already in the legend
        view.extrapolationFrom = analysis.budgets.map(\.flops).max()
        view.targets = predictions.map { ($0.flops, $0.params, $0.tokens) }
        view.draw(into: &figure, frame: figure.lower, id: "allocation", legend: &legend)
        return figure.finish(legend: legend, colorBar: ("budget C (FLOPs)", low, high, TickLabel.flops))
    }
}
