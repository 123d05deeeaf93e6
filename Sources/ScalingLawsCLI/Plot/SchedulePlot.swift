import Foundation
import ScalingLaws

/// `curve --law multi-power --plot` and `schedule --plot`: loss against step for each run — logged
/// losses as points, the law's curve (fitted or forecast) as a line with its interval band — and below,
/// the learning-rate schedule of each run on its own axis.
struct SchedulePlot {
    struct Series {
        var name: String
        var schedule: LearningRateSchedule
        var logged: [(Double, Double)]
        var forecast: [ScheduleForecast.Point]
        /// Whether the logged points up to `through` were fitted.
        var through: Double?
        var role: String
    }

    var series: [Series]

    static let colors = ["#1f4e9c", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b", "#2c3e50"]

    func render(title: String, subtitle: String?) throws -> SVGDocument {
        var figure = Figure(title: title, subtitle: subtitle, lowerPanel: true, lowerHeight: 150)
        let steps = series.flatMap { s in s.logged.map(\.0) + s.forecast.map(\.step) + [s.schedule.lastStep] }
        guard let maxStep = steps.max() else { throw CLIError(message: "--plot: nothing to draw") }
        // Early losses (warmup) are far above the rest: the loss axis covers the steps past 10% of the
        // longest run, where the schedules differ.
        let late = 0.1 * maxStep
        let shown = series.flatMap { s in
            s.logged.filter { $0.0 >= late }.map(\.1)
                + s.forecast.filter { $0.step >= late }.flatMap { [$0.predicted, $0.interval.low, $0.interval.high] }
        }.filter { $0.isFinite }
        guard !shown.isEmpty else { throw CLIError(message: "--plot: nothing to draw") }
        let main = figure.panel("losses", frame: figure.main, x: (.linear, [0] + steps, TickLabel.count),
                                y: (.linear, shown, TickLabel.plain))
        main.drawAxes(into: &figure.svg, xTitle: "", yTitle: "loss")
        var legend = Legend(left: Figure.legendLeft, top: figure.main.top + 8)
        for (i, s) in series.enumerated() {
            let color = Self.colors[i % Self.colors.count]
            if !s.forecast.isEmpty {
                let xs = s.forecast.map(\.step)
                main.band(xs, low: s.forecast.map(\.interval.low), high: s.forecast.map(\.interval.high), into: &figure.svg, color: color, opacity: 0.15)
                main.line(s.forecast.map { ($0.step, $0.predicted) }, into: &figure.svg, color: color, width: 1.8, className: "forecast")
            }
            main.points(s.logged, into: &figure.svg, color: color, radius: 1.6, className: "logged")
            if let c = s.through { main.line([(c, shown.min()!), (c, shown.max()!)], into: &figure.svg, color: color, width: 1, dash: "4 3", className: "through") }
            legend.add("\(s.name) (\(s.role))", color: color, s.logged.isEmpty ? .line(dash: nil) : .marker(.circle))
        }
        legend.add("law curve, band: interval", color: Palette.neutral, .band)
        let rates = series.flatMap(\.schedule.rates)
        let lower = figure.panel("lr", frame: figure.lower, x: (.linear, [0] + steps, TickLabel.count), y: (.linear, [0] + rates, TickLabel.plain))
        lower.drawAxes(into: &figure.svg, xTitle: "step", yTitle: "learning rate")
        for (i, s) in series.enumerated() {
            lower.line(zip(s.schedule.steps, s.schedule.rates).map { ($0, $1) }, into: &figure.svg,
                       color: Self.colors[i % Self.colors.count], width: 1.4, className: "schedule")
        }
        return figure.finish(legend: legend, colorBar: nil)
    }
}
