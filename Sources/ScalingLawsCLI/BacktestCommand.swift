import ArgumentParser
import Foundation
import ScalingLaws

struct Backtest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Fit on some runs and score the forecast on the runs held out.",
        discussion: HelpText.discussion(
            "Scores: mean, median and largest absolute relative error (MARE), signed bias (positive when the law over-predicts), and how far each held-out run lies beyond the largest training compute. Coverage and median half-width are given for each kind of interval (the law's, a new run's, and the calibrated one, whose forecast-error term comes from backtests inside the training runs along the split's axis), with a one-line verdict. The split may read a column the law does not use (e.g. --holdout-top 20% --by params for a law in flops).",
            examples: [
                "scaling backtest Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --train 'flops<=5.59e20'",
                "scaling backtest Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --holdout-top 20% --by params",
                "scaling backtest Examples/data/chinchilla_fig4_fitset.csv --law saturating --x flops --holdout-top 20% --by params",
                "scaling backtest Examples/data/chinchilla_fig4_fitset.csv --law saturating --x flops --train 'flops<1e21' --format json",
                "scaling backtest Examples/data/chinchilla_fig4_fitset.csv --train 'flops<=p80' --bootstrap 200",
                "scaling backtest Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --train 'flops<=5.59e20' --plot backtest.svg",
            ]
        )
    )

    @Argument(help: "CSV file of runs.")
    var file: String

    @OptionGroup var law: LawOptions
    @OptionGroup var columns: ColumnOptions<RunColumns>
    @OptionGroup var split: SplitOptions

    @OptionGroup var intervals: UncertaintyOptions

    @OptionGroup var formatting: OutputOptions

    @OptionGroup var plot: PlotOptions

    func run() throws {
        try reportingErrors {
            let trainSplit = try split.split(default: nil)
            try law.check()
            let table = try RunFile(contentsOf: file)
            let lawValue = try law.makeLaw(columns: table.header)
            let options = try law.fitOptions(for: lawValue)
            // The split may read a column the law does not use (e.g. a law in C tested by holding out the largest N).
            let splitVariable = SplitOptions.variable(of: trainSplit)
            let variables = lawValue.variables + (lawValue.variables.contains(splitVariable) ? [] : [splitVariable])
            let runs = try columns.runs(from: table, variables: variables, flopsPerParamToken: options.flopsPerParamToken)
            let result = try lawValue.backtest(runs, split: trainSplit, options: options, level: intervals.level,
                                               bootstrap: intervals.bootstrap.map { BootstrapOptions(replicates: $0, seed: intervals.seed) })
            try plot.write {
                try LawPlot(fit: result.fit, uncertainty: nil, heldOut: result.heldOut, reach: 1)
                    .render(title: "Backtest of the \(result.fit.law.name) law: \(result.split.description)",
                            subtitle: "MARE \(Report.percent(result.mare)) on \(result.heldOut.count) held-out runs; \(Report.percent(result.scores.first { $0.kind == .calibrated }?.coverage ?? result.coverage)) inside their \(Report.pct(result.level)) \(result.calibration == nil ? "new-run" : "calibrated") interval   (from \(file))")
            }
            switch formatting.format {
            case .json: try printJSON(BacktestReport(result))
            case .text: output(BacktestReport.text(result, file: file))
            }
        }
    }
}

struct BacktestReport: Encodable {
    struct RunRecord: Encodable {
        var params: Double?
        var tokens: Double?
        var flops: Double?
        var actual: Double
        var predicted: Double
        var are: Double
        var relativeError: Double
        var newRunInterval: Interval
        var lawInterval: Interval
        var calibratedInterval: Interval?
        var covered: Bool
        var calibratedCovered: Bool?
        var extrapolation: Double
    }

    struct ScoreRecord: Encodable {
        var kind: String
        var coverage: Double
        var medianHalfWidth: Double
    }

    var split: String
    var trainRuns: Int
    var testRuns: Int
    var mare: Double
    var medianAre: Double
    var maxAre: Double
    var bias: Double
    var coverage: Double
    var level: Double
    var intervalMethod: String
    var intervals: [ScoreRecord]
    var verdict: String
    var calibration: CalibrationRecord?
    var fit: FitRecord
    var runs: [RunRecord]

    init(_ b: BacktestResult) {
        split = b.split.description
        trainRuns = b.trainingCount
        testRuns = b.heldOut.count
        mare = b.mare
        medianAre = b.medianARE
        maxAre = b.maxARE
        bias = b.bias
        coverage = b.coverage
        level = b.level
        intervalMethod = b.intervalMethod.rawValue
        intervals = b.scores.map { ScoreRecord(kind: $0.kind.rawValue, coverage: $0.coverage, medianHalfWidth: $0.medianHalfWidth) }
        verdict = b.verdict
        calibration = b.calibration.map(CalibrationRecord.init)
        fit = b.fit.recordWithoutTrainingRuns
        runs = b.heldOut.map { h in
            RunRecord(params: h.run.params, tokens: h.run.tokens, flops: h.run.flops, actual: h.actual, predicted: h.predicted,
                      are: h.absoluteRelativeError, relativeError: h.relativeError, newRunInterval: h.newRunInterval,
                      lawInterval: h.lawInterval, calibratedInterval: h.calibratedInterval,
                      covered: h.newRunInterval.contains(h.actual), calibratedCovered: h.calibratedInterval?.contains(h.actual),
                      extrapolation: h.extrapolation)
        }
    }

    static func text(_ b: BacktestResult, file: String) -> String {
        let fit = Report.header(b.fit, source: "for training, from \(file)")
        let summary = [
            "split      \(b.split.description): \(b.trainingCount) runs to train, \(b.heldOut.count) held out",
            "scores     MARE \(Report.percent(b.mare)), median \(Report.percent(b.medianARE)), max \(Report.percent(b.maxARE)), bias \(String(format: "%+.2f%%", 100 * b.bias)) (positive: over-predicts)",
        ] + b.scores.map { score in
            "coverage   \(Report.pct(b.level)) \(score.kind == .newRun ? "new-run" : score.kind.rawValue) intervals: \(String(format: "%.0f%%", 100 * score.coverage)) of held-out losses inside, median half-width \(Report.percent(score.medianHalfWidth)) (median error \(Report.percent(b.medianARE)))"
        } + [
            "verdict    \(b.verdict)",
        ] + (b.calibration.map { [Report.calibrationLine($0)] } ?? []) + [
            "parameters \(Report.parameterLine(b.fit))",
        ]
        let rows = b.heldOut.map { h in
            [Report.count(h.run.params), Report.count(h.run.tokens), Report.flops(h.run.flops), String(format: "%.4f", h.actual),
             String(format: "%.4f", h.predicted), Report.percent(h.absoluteRelativeError), Report.interval(h.newRunInterval),
             Report.interval(h.calibratedInterval), String(format: "%.3g", h.extrapolation)]
        }
        return fit + "\n" + summary.joined(separator: "\n") + "\n\n"
            + Report.table(["params N", "tokens D", "flops C", "actual", "predicted", "ARE", "new-run interval", "calibrated interval", "x compute"], rows)
    }
}
