import Foundation
import ScalingLaws

/// `design --plot`: the runs in (N, D) with iso-cost lines C = k·N·D, the assumed law's compute-optimal
/// frontier, the candidates, the standard designs of equal cost and the target.
struct DesignPlot {
    var problem: DesignProblem
    var score: DesignScore
    var baselines: [StandardDesigns.Baseline]
    var candidates: [DesignRun]

    func render(source: String) -> SVGDocument {
        let k = problem.flopsPerParamToken
        var figure = Figure(title: "Design: \(score.runs.count) runs, \(Units.flops(score.cost)) FLOPs",
                            subtitle: "\(problem.target.summary); predicted ± \(score.logStandardDeviation.isFinite ? Report.percent(score.relativeHalfWidth) : "undetermined")  \(source)",
                            lowerPanel: false)
        var points = score.runs.map { ($0.params, $0.tokens) } + baselines.flatMap { $0.score.runs.map { ($0.params, $0.tokens) } }
        points += candidates.map { ($0.params, $0.tokens) }
        let target = targetPoint()
        if let target { points.append(target) }
        let panel = figure.panel("design", frame: figure.main, x: (.log, points.map(\.0), TickLabel.count), y: (.log, points.map(\.1), TickLabel.count))
        panel.drawAxes(into: &figure.svg, xTitle: axisTitle("params"), yTitle: axisTitle("tokens"))
        var legend = Legend(left: Figure.legendLeft, top: figure.main.top + 8)

        // Iso-cost lines at whole decades of C across the panel.
        let nRange = (panel.x.domain.lowerBound, panel.x.domain.upperBound)
        let cs = points.map { k * $0.0 * $0.1 }
        let (cLow, cHigh) = (floor(log10(cs.min() ?? 1)), ceil(log10(cs.max() ?? 1)))
        for e in stride(from: cLow, through: cHigh, by: 1) {
            let c = pow(10, e)
            let line = logGrid(nRange.0, nRange.1, count: 30).map { ($0, c / (k * $0)) }
            panel.line(line, into: &figure.svg, color: "#bbbbbb", width: 1, dash: "3 3", className: "isocost")
        }
        legend.add("iso-cost C = \(Report.number(k))·N·D, decades", color: "#bbbbbb", .line(dash: "3 3"))
        if let law = problem.law as? any ComputeOptimalLaw {
            let frontier = logGrid(pow(10, cLow), pow(10, cHigh), count: 40).compactMap { c -> (Double, Double)? in
                guard let o = try? law.computeOptimum(problem.parameters, flops: c, flopsPerParamToken: k), let n = o.params, let d = o.tokens else { return nil }
                return (n, d)
            }
            panel.line(frontier, into: &figure.svg, color: "#7a7a7a", width: 1.4, className: "frontier")
            legend.add("compute-optimal N*, D* (assumed law)", color: "#7a7a7a", .line(dash: nil))
        }
        if !candidates.isEmpty {
            panel.points(candidates.map { ($0.params, $0.tokens) }, into: &figure.svg, color: "#c8c8c8", radius: 2.2, shape: .ring, className: "candidate")
            legend.add("candidates", color: "#c8c8c8", .marker(.ring))
        }
        let colors = ["#e08a00", "#2f9e44"]
        for (i, b) in baselines.enumerated() {
            panel.points(b.score.runs.map { ($0.params, $0.tokens) }, into: &figure.svg, color: colors[i % colors.count], radius: 4,
                         shape: .diamond, className: "baseline")
            legend.add(b.name, color: colors[i % colors.count], .marker(.diamond))
        }
        panel.points(score.runs.map { ($0.params, $0.tokens) }, into: &figure.svg, color: "#1f5fbf", radius: 4.5, className: "run")
        legend.add("proposed runs", color: "#1f5fbf", .marker(.circle))
        if let target {
            panel.points([target], into: &figure.svg, color: "#ffcc00", radius: 9, shape: .star, className: "target")
            legend.add("target", color: "#ffcc00", .marker(.star))
        }
        return figure.finish(legend: legend, colorBar: nil)
    }

    /// (N, D) of the target: the run itself, or the assumed law's optimum at the target's compute.
    private func targetPoint() -> (Double, Double)? {
        switch problem.target {
        case let .loss(n, d): return (n, d)
        case let .optimalLoss(c), let .optimum(c):
            guard let law = problem.law as? any ComputeOptimalLaw,
                  let o = try? law.computeOptimum(problem.parameters, flops: c, flopsPerParamToken: problem.flopsPerParamToken),
                  let n = o.params, let d = o.tokens else { return nil }
            return (n, d)
        }
    }
}
