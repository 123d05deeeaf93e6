import ArgumentParser
import ScalingLaws

struct Envelope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "envelope",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Compute-optimal N*(C) and D*(C) from the minimum-loss envelope of training curves (Hoffmann et al. 2022, Approach 1).",
        discussion: HelpText.discussion(
            "The CSV is long-format: one row per logged point, with a run identifier (run, run_id, name), the run's params, the tokens seen (or step, with --tokens-per-step) and the loss. Each curve is placed on C = k·N·tokens and interpolated in (ln C, ln L); on a log-spaced grid of C the envelope is the least loss over the runs, and the run attaining it gives N*(C).",
            "Points attained by the smallest or largest model are censored (the optimum may lie beyond the ladder) and not fitted. N*(C), D*(C) are fitted by log-log least squares, L*(C) as E + A·C^-alpha.",
            examples: [
                "scaling envelope Examples/data/curves_synthetic.csv",
                "scaling envelope Examples/data/curves_synthetic.csv --flops 1e23 --format json",
                "scaling envelope Examples/data/curves_synthetic.csv --flops 1e23 --plot envelope.svg",
            ]
        )
    )

    @Argument(help: "Long-format CSV of training curves: run, params, tokens (or step), loss.")
    var file: String

    @OptionGroup var flopTargets: FlopsTargetOptions
    var flops: [Double] { flopTargets.flops.values }

    @Option(help: "Number of log-spaced FLOP values on the envelope.")
    var grid: Int = 100

    @OptionGroup var accounting: FlopsAccountingOptions
    var flopsPerParamToken: Double { accounting.flopsPerParamToken }

    @OptionGroup var columns: ColumnOptions<EnvelopeColumns>

    @OptionGroup var formatting: OutputOptions

    @OptionGroup var plot: PlotOptions

    func run() throws {
        try reportingErrors {
            let targets = flops
            var options = EnvelopeOptions()
            options.gridPoints = grid
            options.flopsPerParamToken = flopsPerParamToken
            let tokensPerStep = try columns.tokensPerStepValue()
            let analysis: EnvelopeAnalysis
            var curves = [TrainingCurve]()
            if plot.plot != nil {
                // The plot draws every curve: they are read into memory.
                curves = try CurveTable.curves(contentsOf: file, columns: columns.curveColumns, tokensPerStep: tokensPerStep)
                if let note = CurveTable.averagingNote(curves) { noteOnStderr(note) }
                analysis = try EnvelopeAnalysis(curves: curves, options: options)
            } else {
                let read = try EnvelopeAnalysis.read(contentsOf: file, columns: columns.curveColumns, tokensPerStep: tokensPerStep, options: options)
                if let note = read.averagingNote { noteOnStderr(note) }
                analysis = read.analysis
            }
            let predictions = try targets.map { try analysis.predict(flops: $0) }
            try plot.write { try EnvelopePlot(analysis: analysis, curves: curves, predictions: predictions).render(source: file) }
            switch formatting.format {
            case .json: try printJSON(EnvelopeReport(analysis: analysis, predictions: predictions))
            case .text: output(Report.envelope(analysis, predictions, source: file))
            }
        }
    }
}

/// `scaling envelope --format json`: `curves`, `flops_per_param_token`, `envelope` (`flops`, `loss`,
/// `run`, `params`, `tokens`, `censored`), `segments` (`run`, `params`, `from_flops`, `to_flops`,
/// `censored`), the allocation keys and `prediction`/`predictions` with --flops.
struct EnvelopeReport: Encodable {
    var analysis: EnvelopeAnalysis
    var predictions: [AllocationPrediction]

    struct Point: Encodable {
        var flops, loss: Double
        var run: String
        var params, tokens: Double
        var censored: Bool
    }

    struct Segment: Encodable {
        var run: String
        var params, fromFlops, toFlops: Double
        var censored: Bool
    }

    private struct Fields: Encodable {
        var curves: Int
        var flopsPerParamToken: Double
        var envelope: [Point]
        var segments: [Segment]
    }

    func encode(to encoder: any Encoder) throws {
        try Fields(curves: analysis.curves, flopsPerParamToken: analysis.options.flopsPerParamToken,
                   envelope: analysis.points.map {
                       Point(flops: $0.flops, loss: $0.loss, run: $0.run, params: $0.params, tokens: $0.tokens, censored: $0.censored)
                   },
                   segments: analysis.segments.map {
                       Segment(run: $0.run, params: $0.params, fromFlops: $0.flops.lowerBound, toFlops: $0.flops.upperBound,
                               censored: $0.censored)
                   }).encode(to: encoder)
        try AllocationFields(allocation: analysis.allocation, lossLaw: analysis.lossLaw, predictions: predictions).encode(to: encoder)
    }
}

extension Report {
    static func envelope(_ a: EnvelopeAnalysis, _ predictions: [AllocationPrediction], source: String) -> String {
        let fitted = a.points.filter { !$0.censored }.count
        var lines = [
            "envelope   \(a.curves) curves from \(source); least loss over runs at \(a.points.count) log-spaced C from "
                + "\(number(a.points.first?.flops)) to \(number(a.points.last?.flops)); C = \(number(a.options.flopsPerParamToken))·N·D",
            "fitted     \(fitted) points; \(a.points.count - fitted) attained by the smallest or largest model are censored",
            "",
        ]
        let rows = a.segments.map { s in
            [flops(s.flops.lowerBound), flops(s.flops.upperBound), s.run, count(s.params), s.censored ? "censored" : ""]
        }
        lines.append(table(["from C", "to C", "run", "params N", ""], rows))
        lines += ["", allocationLines(a.allocation), lossLawLine(a.lossLaw)]
        if !predictions.isEmpty { lines += ["", allocationPredictions(predictions)] }
        return lines.joined(separator: "\n")
    }
}
