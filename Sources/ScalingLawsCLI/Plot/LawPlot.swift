import Foundation
import ScalingLaws

/// The picture of a fitted law against its runs, shared by `fit` and `backtest`: loss against the law's
/// x (C for laws of N and D, else the law's one variable), points coloured by model size, the fitted
/// law (iso-N lines for L(N, D); the curve for one-variable laws), the compute-optimal frontier L*(C)
/// where the law has one, the extrapolation region shaded with its interval band, and a panel of
/// relative residuals.
struct LawPlot {
    var fit: FitResult
    var uncertainty: Uncertainty?
    /// The forecast-error calibration: when given, the band beyond the data and the held-out runs' bars
    /// show the calibrated interval (the one to trust for an extrapolation).
    var calibration: ForecastCalibration? = nil
    /// Held-out runs of a backtest: marked, with the forecast's new-run interval.
    var heldOut: [BacktestRun] = []
    /// How far beyond the data the x axis reaches (a factor on the largest x).
    var reach: Double = 100
    /// Forecasts to mark (x, predicted value and its interval), e.g. the targets of `scaling task`.
    var forecasts: [(x: Double, value: Double, interval: Interval)] = []
    /// What one point is in the legend: "runs" for a ladder, "points" for one run's learning curve.
    var pointNoun = "runs"
    /// Colour points by model size (with a colour bar); off when every point has the same size.
    var colorBySize = true
    /// The y axis title, when the formula's left-hand side does not name the quantity (a task's metric).
    var yLabel: String? = nil

    private var k: Double { fit.flopsPerParamToken }
    private var runs: [Run] { fit.trainingRuns.map { $0.completed(flopsPerParamToken: k) } }
    private var isLawOfNAndD: Bool { Set(fit.law.variables) == [Variable.params, Variable.tokens] }

    /// The x variable: flops for L(N, D), the law's variable for one-variable laws, flops otherwise.
    private var xVariable: String {
        fit.law.variables.count == 1 ? fit.law.variables[0] : Variable.flops
    }

    private func xValue(_ run: Run) -> Double? { run.value(of: xVariable) }

    /// The y axis title: the left-hand side of the law's formula (`L` is the loss; `acc` an accuracy).
    private var yTitle: String {
        if let yLabel { return yLabel }
        let symbol = fit.law.formula.components(separatedBy: " = ").first ?? "L"
        return symbol == "L" || symbol.count > 12 ? "loss" : symbol
    }

    /// The interval drawn for a held-out run: the calibrated one where there is one.
    static func shown(_ h: BacktestRun) -> Interval { h.calibratedInterval ?? h.newRunInterval }

    func render(title: String, subtitle: String?) throws -> SVGDocument {
        let all = runs + heldOut.map { $0.run.completed(flopsPerParamToken: k) }
        let xs = all.compactMap(xValue) + forecasts.map(\.x), losses = all.compactMap(\.loss)
        guard !xs.isEmpty, !losses.isEmpty else {
            throw CLIError(message: "--plot: the runs have no \(xVariable) values to plot against")
        }
        let trainingMax = runs.compactMap(xValue).max() ?? xs.max()!
        // Extrapolate only a law that can be drawn: laws of more variables are shown by their residuals.
        let drawable = isLawOfNAndD || fit.law.variables.count == 1
        let xHigh = max(xs.max()!, trainingMax * (drawable ? reach : 1))
        let grid = logGrid(xs.min()!, xHigh, count: 80)

        var curves = [(label: String, color: String, points: [(Double, Double)])]()
        var band: (xs: [Double], low: [Double], high: [Double])?
        var frontier: [(Double, Double)] = []
        let sizes = all.compactMap(\.params)
        let sizeRange = (sizes.min() ?? 1, sizes.max() ?? 1)
        if isLawOfNAndD {
            for n in representatives(sizes, count: 5) {
                let points = grid.compactMap { c -> (Double, Double)? in
                    guard let l = try? fit.predict([Run(params: n, tokens: c / (k * n), flops: c)]).first else { return nil }
                    return (c, l)
                }
                curves.append(("L(N = \(Units.count(n, digits: 3)), D)", Palette.logColor(n, low: sizeRange.0, high: sizeRange.1), points))
            }
            if (try? fit.computeOptimum(flops: grid[0])) != nil {
                frontier = grid.compactMap { c in (try? fit.computeOptimum(flops: c)).map { (c, $0.loss) } }
                if let uncertainty {
                    let extrapolated = grid.filter { $0 >= trainingMax }
                    var intervals = extrapolated.compactMap { try? uncertainty.computeOptimum(flops: $0).loss?.interval }
                    if let calibration {
                        let optimal = extrapolated.compactMap { c in (try? fit.computeOptimum(flops: c)).map { Run(params: $0.params, tokens: $0.tokens) } }
                        intervals = ((try? uncertainty.predictions(optimal, calibration: calibration)) ?? []).compactMap(\.calibratedInterval)
                    }
                    if intervals.count == extrapolated.count {
                        band = (extrapolated, intervals.map(\.low), intervals.map(\.high))
                    }
                }
            }
        } else if fit.law.variables.count == 1 {
            let targets = grid.map { x -> Run in var run = Run(); run.setValue(x, of: xVariable); return run }
            if let values = try? fit.predict(targets) {
                curves.append(("fitted \(fit.law.name) law", Palette.fit, Array(zip(grid, values))))
            }
            if let uncertainty, let predictions = try? uncertainty.predictions(targets) {
                let keep = grid.indices.filter { grid[$0] >= trainingMax }
                var intervals = keep.map { predictions[$0].lawInterval }
                if let calibration, let calibrated = try? uncertainty.predictions(keep.map { targets[$0] }, calibration: calibration) {
                    intervals = calibrated.map { $0.calibratedInterval ?? $0.lawInterval }
                }
                band = (keep.map { grid[$0] }, intervals.map(\.low), intervals.map(\.high))
            }
        }

        var yValues = losses + curves.flatMap { $0.points.map(\.1) } + frontier.map(\.1)
        if let band, band.xs.count > 1 { yValues += band.low + band.high }
        yValues += heldOut.flatMap { [$0.predicted, Self.shown($0).low, Self.shown($0).high] }
        yValues += forecasts.flatMap { [$0.value, $0.interval.low, $0.interval.high] }
        // Keep the y range to the data and its forecasts: curves of small models rise far above.
        // Forecasts and held-out intervals are never clipped.
        let marked = heldOut.flatMap { [$0.actual, Self.shown($0).high] } + forecasts.map(\.interval.high)
        let yLow = yValues.min()!
        let yHigh = max(min(yValues.max()!, losses.max()! + 0.5 * (losses.max()! - (losses.min() ?? 0)) + 0.05), marked.max() ?? -.infinity)

        var figure = Figure(title: title, subtitle: subtitle, lowerPanel: true)
        let main = figure.panel("main", frame: figure.main,
                                x: (.log, [xs.min()!, xHigh], TickLabel.forVariable(xVariable)),
                                y: (.log, [yLow, yHigh], TickLabel.plain))
        main.drawAxes(into: &figure.svg, xTitle: axisTitle(xVariable), yTitle: yTitle)
        let shaded = (drawable && reach > 1) || !heldOut.isEmpty
        if shaded {
            main.shadeRight(from: trainingMax, into: &figure.svg, label: heldOut.isEmpty ? "extrapolation" : "held out / extrapolation")
        }
        var legend = Legend(left: Figure.legendLeft, top: figure.main.top + 8)
        if let band {
            main.band(band.xs, low: band.low, high: band.high, into: &figure.svg, color: Palette.frontier, opacity: 0.35, edges: true)
            legend.add(calibration == nil ? "\(Report.pct(uncertainty?.level ?? 0.95)) interval beyond the data" : "\(Report.pct(uncertainty?.level ?? 0.95)) calibrated interval", color: Palette.frontier, .band)
        }
        for c in curves { main.line(c.points, into: &figure.svg, color: c.color, width: 1.4, dash: isLawOfNAndD ? "6 3" : nil) }
        if isLawOfNAndD { labelFixedSizeCurves(curves, panel: main, into: &figure.svg) }
        if isLawOfNAndD, !curves.isEmpty { legend.add("fitted law at fixed N", color: Palette.neutral, .line(dash: "6 3")) }
        else if let c = curves.first { legend.add(c.label, color: c.color, .line(dash: nil)) }
        if !frontier.isEmpty {
            main.line(frontier, into: &figure.svg, color: Palette.frontier, width: 2.4, className: "frontier")
            legend.add("compute-optimal frontier L*(C)", color: Palette.frontier, .line(dash: nil))
        }
        let colored = colorBySize && !sizes.isEmpty
        for run in runs {
            guard let u = xValue(run), let l = run.loss else { continue }
            let color = colored ? run.params.map { Palette.logColor($0, low: sizeRange.0, high: sizeRange.1) } ?? Palette.neutral : Palette.sequential(0.45)
            main.points([(u, l)], into: &figure.svg, color: color, radius: 3.5, className: "run")
        }
        let fittedNoun = pointNoun == "runs" ? "training runs" : "fitted \(pointNoun)"
        legend.add(heldOut.isEmpty ? "\(pointNoun) (\(runs.count))" : "\(fittedNoun) (\(runs.count))",
                   color: colored ? Palette.sequential(0.45) : Palette.sequential(0.45), .marker(.circle))
        // Bars for a ladder's held-out runs; a curve's many later points would hide one another behind
        // theirs, and the band already shows the interval there.
        let bars = heldOut.count <= 60
        for h in heldOut {
            let run = h.run.completed(flopsPerParamToken: k)
            guard let u = xValue(run) else { continue }
            if bars { main.errorBar(at: u, low: Self.shown(h).low, high: Self.shown(h).high, into: &figure.svg, color: Palette.heldOut) }
            main.points([(u, h.predicted)], into: &figure.svg, color: Palette.heldOut, radius: 2.5, className: "forecast")
            main.points([(u, h.actual)], into: &figure.svg, color: Palette.heldOut, radius: 5, shape: .diamond, className: "held-out")
        }
        for f in forecasts {
            main.errorBar(at: f.x, low: f.interval.low, high: f.interval.high, into: &figure.svg, color: Palette.frontier)
            main.points([(f.x, f.value)], into: &figure.svg, color: Palette.frontier, radius: 6, shape: .star, className: "forecast-target")
        }
        if !forecasts.isEmpty {
            legend.add("forecast (\(forecasts.count)) ± interval", color: Palette.frontier, .marker(.star))
        }
        if !heldOut.isEmpty {
            legend.add("held-out \(pointNoun) (\(heldOut.count))", color: Palette.heldOut, .marker(.diamond))
            legend.add(bars ? "forecast ± \(heldOut.contains { $0.calibratedInterval != nil } ? "calibrated" : "new-run") interval" : "forecast",
                       color: Palette.heldOut, .line(dash: nil))
        }

        // Residuals: relative error of each run against the law.
        var residuals = [(Double, Double, Bool)]()
        if let predicted = try? fit.predict(runs) {
            for (run, p) in zip(runs, predicted) { if let u = xValue(run), let l = run.loss { residuals.append((u, (l - p) / p, false)) } }
        }
        for h in heldOut { if let u = xValue(h.run.completed(flopsPerParamToken: k)) { residuals.append((u, (h.actual - h.predicted) / h.predicted, true)) } }
        let bound = max(residuals.map { abs($0.1) }.max() ?? 0.01, 1e-4)
        let lower = figure.panel("residuals", frame: figure.lower,
                                 x: (.log, [xs.min()!, xHigh], TickLabel.forVariable(xVariable)),
                                 y: (.linear, [-bound, bound], TickLabel.percent))
        lower.drawAxes(into: &figure.svg, xTitle: axisTitle(xVariable), yTitle: "(y − ŷ)/ŷ")
        if shaded { lower.shadeRight(from: trainingMax, into: &figure.svg, label: "") }
        lower.horizontal(0, into: &figure.svg)
        for (u, r, held) in residuals {
            lower.points([(u, r)], into: &figure.svg, color: held ? Palette.heldOut : Palette.neutral, radius: held ? 4.5 : 2.5,
                         shape: held ? .diamond : .circle, className: held ? "held-out-residual" : "residual")
        }
        return figure.finish(legend: legend, colorBar: colored ? ("model size N", sizeRange.0, sizeRange.1, TickLabel.count) : nil,
                             colorBarHeight: 160)
    }

    /// Names each fixed-N curve ("N = 1.2B") at its right end, in the curve's colour, nudged apart so that
    /// labels of curves ending close together do not overlap.
    private func labelFixedSizeCurves(_ curves: [(label: String, color: String, points: [(Double, Double)])], panel: Panel,
                                      into svg: inout SVGDocument) {
        var ends = curves.compactMap { c -> (text: String, color: String, y: Double)? in
            guard let end = c.points.last(where: { panel.x.contains($0.0) && panel.y.contains($0.1) }) else { return nil }
            let text = c.label.replacingOccurrences(of: "L(", with: "").replacingOccurrences(of: ", D)", with: "")
            return (text, c.color, panel.y(end.1) - 5)
        }
        ends.sort { $0.y < $1.y }
        for i in ends.indices.dropFirst() where ends[i].y - ends[i - 1].y < 12 { ends[i].y = ends[i - 1].y + 12 }
        for e in ends where e.y > panel.top + 10 && e.y < panel.bottom - 2 {
            svg.text(e.text, x: panel.right - 6, y: e.y, size: 10.5, anchor: "end", fill: e.color)
        }
    }
}
