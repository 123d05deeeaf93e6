import ArgumentParser
import ScalingLaws

struct Curve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Forecast where a partial run will end: fit its learning curve L(t) = E + A·t^-alpha and read it at a later token count.",
        discussion: HelpText.discussion(
            "The CSV is long-format: one row per logged point, with a run identifier (run, run_id, name), the tokens seen (tokens, tokens_seen; or step with --tokens-per-step) and the loss; params from a column or --run-params. Points under warmup are skipped (--skip-fraction of the tokens fitted, 0.1 by default, or --skip-tokens).",
            "`calibrated_interval` is the interval to read: the new-run interval widened by the forecast error the curve showed when it forecast its own later points from earlier prefixes (its growth with the log of the extrapolation ratio is pooled with a prior measured on public runs; see \"How honest are the intervals?\" in the README). `new_run_interval` covers the loss the run will log at --tokens if the curve's form is right (parameter uncertainty plus the curve's scatter); `law_interval` is the fitted curve's alone; `extrapolation` is --tokens over the last fitted token count. --through fits only the points up to that many tokens, to test the forecast against the rest of the run (`actual` is the logged loss at --tokens when there is one).",
            "Schedule-aware (--law multi-power or momentum): the CSV has run, step, lr and loss columns; rows may leave the loss (or the lr) empty, and between rows the lr is linear in the step. The law is fitted to the --train runs (shared parameters, each run under its own schedule) and forecasts run --run from its schedule alone; --through STEP also fits the run's own points up to STEP (a run in progress whose remaining schedule is planned). Intervals: where the logged loss will land, from parameter uncertainty and a backtest of the forecast error within the file; past --through also from the change the law predicts beyond what the backtest forecast, and from the run's own misfit at the cut.",
            examples: [
                "scaling curve Examples/data/learning_curves_synthetic.csv --run m160 --through 9.6e8 --tokens 3.2e9 --plot curve.svg",
                "scaling curve Examples/data/learning_curves_synthetic.csv --run m640 --tokens 1e10",
                "scaling curve Examples/data/learning_curves_synthetic.csv --run m160 --through 9.6e8 --tokens 3.2e9 --format json",
                "scaling curve Examples/data/multipower_25m.csv --law multi-power --train cosine_24000,constant_24000,wsdcon_9 --run cosine_72000 --through 21600 --plot mpl.svg",
                "scaling curve Examples/data/multipower_25m.csv --law momentum --train cosine_24000,constant_24000,wsdcon_9 --run wsdcon_18 --steps 8000,12000 --json",
            ]
        )
    )

    @Argument(help: "Long-format CSV: run, tokens (or step), loss, and params.")
    var file: String

    @Option(name: .customLong("run"), help: "The run to forecast (its identifier in the run column).")
    var runName: String

    @Option(help: "Tokens seen at which to forecast the loss (units allowed, e.g. 1.4T).", transform: Quantities.one)
    var tokens: Double?

    /// `--steps`, with --law multi-power or momentum; `--at`, the former name of `--tokens` (and, with a
    /// schedule-aware law, of `--steps`): still read, with a warning.
    @OptionGroup var stepTargets: StepTargetOptions
    var steps: String? { stepTargets.steps }
    var deprecatedAt: String? { stepTargets.deprecatedAt }

    @Option(help: "Schedule-aware law of the whole curve: multi-power or momentum (reads the lr column; see the discussion).")
    var law: String?

    @Option(help: "With --law: the runs to fit, comma-separated (default: every other run with losses).")
    var train: String?


    /// With --law: `--fix`, `--init`, `--bounds`, `--tie` (all of --fix given: nothing is fitted).
    @OptionGroup var constraints: ConstraintOptions


    @Option(help: "Fit only the points up to this many tokens.")
    var through: String?

    @Option(help: "Skip points at or below this many tokens (warmup).")
    var skipTokens: String?

    @Option(help: "Skip points below this fraction of the last token count fitted (default 0.1).")
    var skipFraction: Double?

    @Option(help: "Model size N of the run when the file has no params column (units allowed, e.g. 160M).", transform: Quantities.one)
    var runParams: Double?

    /// `--params`, the former name of `--run-params` (elsewhere `--params` is a target): still read, with a warning.
    @Option(name: .customLong("params"), help: .hidden, transform: Quantities.one)
    var deprecatedParams: Double?

    @OptionGroup var columns: ColumnOptions<CurveColumns>

    @OptionGroup var intervals: UncertaintyOptions
    @OptionGroup var plot: PlotOptions

    @OptionGroup var formatting: OutputOptions

    /// Whether `--law` names a schedule-aware law (the default curve is `saturating`).
    var isScheduleAware: Bool { law.map { $0.lowercased() != "saturating" } ?? false }

    /// The forecast token count: `--tokens`, or the deprecated `--at`.
    func targetTokens() throws -> Double? {
        if let tokens { return tokens }
        return try (isScheduleAware ? nil : deprecatedAt).map { try quantity($0, flag: "--at") }
    }
    /// The forecast steps of a schedule-aware law: `--steps`, or the deprecated `--at`.
    var targetSteps: String? { steps ?? (isScheduleAware ? deprecatedAt : nil) }
    /// The run's size: `--run-params`, or the deprecated `--params`.
    var runSize: Double? { runParams ?? deprecatedParams }

    func validate() throws {
        if deprecatedAt != nil {
            let new = isScheduleAware ? "--steps" : "--tokens"
            guard isScheduleAware ? steps == nil : tokens == nil else { throw ValidationError("--at is the former name of \(new): give \(new) only") }
            warnDeprecated("--at", use: new)
        }
        if deprecatedParams != nil {
            guard runParams == nil else { throw ValidationError("--params is the former name of --run-params here: give --run-params only") }
            warnDeprecated("--params", use: "--run-params")
        }
    }

    func run() throws {
        if isScheduleAware, let law {
            return try ScheduleCurveRun(command: self, lawName: law).run()
        }
        try reportingErrors {
            if train != nil || columns.lrCol != nil || constraints.isGiven {
                throw CLIError(message: "--train, --lr-col, --fix, --init, --bounds and --tie need a schedule-aware law: --law multi-power or --law momentum")
            }
            if steps != nil { throw CLIError(message: "--steps applies to a schedule-aware law (--law multi-power or momentum); give the token count to forecast with --tokens") }
            guard let target = try targetTokens() else { throw CLIError(message: "--tokens: give the token count to forecast, e.g. --tokens 1e10") }
            var options = CurveForecastOptions()
            options.level = intervals.level
            options.through = try through.map { try quantity($0, flag: "--through") }
            switch (skipTokens, skipFraction) {
            case (.some, .some): throw CLIError(message: "give --skip-tokens or --skip-fraction, not both")
            case let (tokens?, nil):
                guard let v = parseQuantity(tokens), v >= 0 else {
                    throw CLIError(message: "--skip-tokens: expected a token count ≥ 0 such as 2e10, got \"\(tokens)\"")
                }
                options.warmup = .tokens(v)
            case let (nil, fraction?): options.warmup = .fraction(fraction)
            case (nil, nil): break
            }
            if let replicates = intervals.bootstrap { options.bootstrap = BootstrapOptions(replicates: replicates, seed: intervals.seed) }
            let n = runSize
            // Every row is checked, but only the run's points are kept.
            let selection = try CurveTable.curves(contentsOf: file, runs: [runName], columns: columns.curveColumns,
                                                  tokensPerStep: try columns.tokensPerStepValue(), params: n)
            if let note = CurveTable.averagingNote(selection.curves) { noteOnStderr(note) }
            guard let curve = selection.curves.first else {
                let names = selection.runs.prefix(10).joined(separator: ", ")
                throw CLIError(message: "--run: no run \"\(runName)\" in \(file); runs: \(names)\(selection.runs.count > 10 ? ", …" : "")")
            }
            let forecast = try curve.forecast(at: target, options: options)
            try plot.write {
                // The points the fit did not use after the fitted range (--through) are scored as held out.
                let fitted = forecast.fittedTokens
                let later = zip(curve.tokens, curve.losses).filter { $0.0 > fitted.upperBound }
                    .map { Run(params: curve.params, tokens: $0.0, loss: $0.1) }
                let scored = try forecast.uncertainty.predictions(later, calibration: forecast.calibration)
                let heldOut = zip(later, scored).map { run, p in
                    BacktestRun(run: run, predicted: p.value, actual: run.loss!, newRunInterval: p.newRunInterval,
                                extrapolation: run.tokens! / fitted.upperBound, lawInterval: p.lawInterval,
                                calibratedInterval: p.calibratedInterval)
                }
                return try LawPlot(fit: forecast.fit, uncertainty: forecast.uncertainty, calibration: forecast.calibration, heldOut: heldOut,
                                   reach: max(1.5, target / fitted.upperBound * 1.3), pointNoun: "points", colorBySize: false)
                    .render(title: "Learning curve of run \(forecast.run): forecast at \(Units.count(target)) tokens",
                            subtitle: "\(forecast.fit.law.formula) on tokens seen; \(forecast.pointsUsed) points fitted, \(forecast.pointsSkipped) skipped as warmup, \(heldOut.count) later points held out")
            }
            switch formatting.format {
            case .json: try printJSON(CurveReport(forecast))
            case .text: print(CurveReport.text(forecast, file: file))
            }
        }
    }
}

/// `scaling curve --format json`.
struct CurveReport: Encodable {
    var run: String
    /// The tokens seen at which the loss is forecast (`--tokens`).
    var tokens: Double
    var loss: Double
    var newRunInterval: Interval
    var lawInterval: Interval
    var calibratedInterval: Interval
    var extrapolation: Double
    var calibration: CalibrationRecord
    var level: Double
    var intervalMethod: String
    /// The logged loss at the target, null when the run logged none there.
    @NullWhenAbsent var actual: Double?
    var parameters: [String: Double]
    var standardErrors: [String: Double]
    var formula: String
    var objective: String
    var pointsUsed: Int
    var pointsSkipped: Int
    var pointsHeldOut: Int
    var fittedFromTokens: Double
    var fittedThroughTokens: Double

    init(_ f: CurveForecast) {
        run = f.run
        tokens = f.target
        loss = f.loss
        newRunInterval = f.newRunInterval
        lawInterval = f.lawInterval
        calibratedInterval = f.calibratedInterval
        extrapolation = f.extrapolation
        calibration = CalibrationRecord(f.calibration)
        level = f.uncertainty.level
        intervalMethod = f.uncertainty.method.rawValue
        actual = f.actual
        parameters = f.fit.parameterValues
        standardErrors = Dictionary(uniqueKeysWithValues: zip(f.fit.law.parameterNames, f.uncertainty.standardErrors))
        formula = f.fit.law.formula
        objective = f.fit.objective.definition
        pointsUsed = f.pointsUsed
        pointsSkipped = f.pointsSkipped
        pointsHeldOut = f.pointsHeldOut
        fittedFromTokens = f.fittedTokens.lowerBound
        fittedThroughTokens = f.fittedTokens.upperBound
    }

    static func text(_ f: CurveForecast, file: String) -> String {
        var lines = [
            "run        \(f.run) from \(file)",
            "curve      \(f.fit.law.formula), t = tokens seen",
            "points     \(f.pointsUsed) fitted from \(Report.count(f.fittedTokens.lowerBound)) to \(Report.count(f.fittedTokens.upperBound)) tokens; \(f.pointsSkipped) skipped as warmup; \(f.pointsHeldOut) after --through not used",
            "parameters \(Report.parameterLine(f.fit))",
            "forecast   loss \(String(format: "%.4f", f.loss)) at \(Report.count(f.target)) tokens (\(Report.ratio(f.extrapolation)) the last fitted point)",
            "interval   \(Report.pct(f.uncertainty.level)) calibrated \(Report.interval(f.calibratedInterval)); without the forecast-error term: this run's loss \(Report.interval(f.newRunInterval)), curve alone \(Report.interval(f.lawInterval)) (\(f.uncertainty.method.rawValue))",
            Report.calibrationLine(f.calibration),
        ] + f.calibration.notes.map { "note       \($0)" }
        if f.extrapolation > f.calibration.measuredUpTo {
            lines.append("warning    \(Report.ratio(f.extrapolation)) is beyond the ratios the interval calibration was measured at (up to \(Report.ratio(f.calibration.measuredUpTo))): treat the interval as a lower bound on the uncertainty")
        }
        if let actual = f.actual {
            lines.append("actual     \(String(format: "%.4f", actual)) logged at \(Report.count(f.target)) tokens: \(f.calibratedInterval.contains(actual) ? "inside" : "OUTSIDE") the calibrated interval, error \(String(format: "%+.2f%%", 100 * (f.loss / actual - 1)))")
        }
        return lines.joined(separator: "\n")
    }
}
