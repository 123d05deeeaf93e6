import Foundation
import ScalingLaws

/// `optimal --plot`: the compute-optimal frontier L*(C) with its interval band over the runs (coloured
/// by model size), the requested budgets marked, and below, N*(C) and D*(C) with their bands.
struct OptimalPlot {
    var fit: FitResult
    var uncertainty: Uncertainty?
    var budgets: [Double]

    func render(source: String?) throws -> SVGDocument {
        let k = fit.flopsPerParamToken
        let runs = fit.trainingRuns.map { $0.completed(flopsPerParamToken: k) }
        let runFlops = runs.compactMap(\.flops)
        let low = (runFlops + budgets).min()!, high = (runFlops + budgets).max()!
        let grid = logGrid(runFlops.isEmpty ? low / 100 : low, runFlops.isEmpty ? high * 10 : max(high * 3, (runFlops.max() ?? high) * 10))
        let optima = grid.compactMap { c in try? fit.computeOptimum(flops: c) }
        guard optima.count == grid.count else {
            throw CLIError(message: "--plot: the \(fit.law.name) law has no compute-optimal frontier to draw")
        }
        let estimates = grid.map { c in try? uncertainty?.computeOptimum(flops: c).keyed }
        let targets = budgets.compactMap { try? fit.computeOptimum(flops: $0) }
        let targetEstimates = budgets.map { c in try? uncertainty?.computeOptimum(flops: c).keyed }

        var figure = Figure(title: "Compute-optimal frontier of the \(fit.law.name) law",
                            subtitle: fit.law.formula + (source.map { "   (\($0))" } ?? ""),
                            lowerPanel: optima.allSatisfy { $0.params != nil }, lowerHeight: 190)
        var legend = Legend(left: Figure.legendLeft, top: figure.main.top + 8)
        let lossBand = estimates.map { $0?["loss"]?.interval }
        var ys = optima.map(\.loss) + runs.compactMap(\.loss)
        if lossBand.allSatisfy({ $0 != nil }) { ys += lossBand.flatMap { [$0!.low, $0!.high] } }
        let main = figure.panel("frontier", frame: figure.main, x: (.log, grid, TickLabel.flops), y: (.log, ys, TickLabel.plain))
        main.drawAxes(into: &figure.svg, xTitle: axisTitle("flops"), yTitle: "loss")
        if let maxRun = runFlops.max() { main.shadeRight(from: maxRun, into: &figure.svg, label: "extrapolation") }
        if lossBand.allSatisfy({ $0 != nil }) {
            main.band(grid, low: lossBand.map { $0!.low }, high: lossBand.map { $0!.high }, into: &figure.svg, color: Palette.frontier)
            legend.add("\(Report.pct(uncertainty?.level ?? 0.95)) interval of L*(C)", color: Palette.frontier, .band)
        }
        let sizes = runs.compactMap(\.params)
        for run in runs {
            guard let c = run.flops, let l = run.loss else { continue }
            main.points([(c, l)], into: &figure.svg, color: run.params.map { Palette.logColor($0, low: sizes.min()!, high: sizes.max()!) } ?? Palette.neutral,
                        radius: 3, className: "run")
        }
        if !runs.isEmpty { legend.add("runs (\(runs.count))", color: sizes.isEmpty ? Palette.neutral : Palette.sequential(0.45), .marker(.circle)) }
        main.line(optima.map { ($0.flops, $0.loss) }, into: &figure.svg, color: Palette.frontier, width: 2.4, className: "frontier")
        legend.add("frontier L*(C)", color: Palette.frontier, .line(dash: nil))
        for (t, e) in zip(targets, targetEstimates) {
            if let i = e?["loss"]?.interval { main.errorBar(at: t.flops, low: i.low, high: i.high, into: &figure.svg, color: "#222") }
        }
        main.points(targets.map { ($0.flops, $0.loss) }, into: &figure.svg, color: "#ffcc00", radius: 9, shape: .star, className: "target")
        // Each label is centred on its own star, above its interval bar, or below it for every other budget
        // (by size), so neighbouring labels neither overlap nor sit next to the wrong star.
        let labelled = zip(targets, targetEstimates).filter { main.contains($0.0.flops, $0.0.loss) }.sorted { $0.0.flops < $1.0.flops }
        for (index, (t, e)) in labelled.enumerated() {
            let interval = e?["loss"]?.interval
            let above = index % 2 == 0
            let edge = above ? max(interval?.high ?? t.loss, t.loss) : min(interval?.low ?? t.loss, t.loss)
            let y = main.y(min(max(edge, main.y.domain.lowerBound), main.y.domain.upperBound)) + (above ? -12 : 20)
            let text = "L* \(String(format: "%.3f", t.loss)) at \(Units.flops(t.flops))"
            let half = Double(text.count) * 3.1
            let x = min(max(main.x(t.flops), main.left + half + 2), main.right - half - 2)
            figure.svg.text(text, x: x, y: y, size: 11, anchor: "middle")
        }
        legend.add("requested budgets", color: "#ffcc00", .marker(.star))

        if figure.hasLowerPanel {
            func band(_ key: String) -> (low: [Double], high: [Double])? {
                let intervals = estimates.map { $0?[key]?.interval }
                guard intervals.allSatisfy({ $0 != nil }) else { return nil }
                return (intervals.map { $0!.low }, intervals.map { $0!.high })
            }
            let curve = AllocationView.Curve(flops: grid, params: optima.map { $0.params! }, tokens: optima.map { $0.tokens! },
                                             paramsBand: band("params"), tokensBand: band("tokens"))
            var view = AllocationView(curve: curve)
            view.targets = targets.compactMap { t in t.params.flatMap { n in t.tokens.map { (t.flops, n, $0) } } }
            view.extrapolationFrom = runFlops.max()
            view.targetsInLegend = false
            view.draw(into: &figure, frame: figure.lower, id: "allocation", legend: &legend)
        }
        let bar = sizes.min().flatMap { lo in sizes.max().map { ("model size N", lo, $0, TickLabel.count) } }
        return figure.finish(legend: legend, colorBar: bar)
    }
}
