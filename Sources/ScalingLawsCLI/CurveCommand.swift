import ArgumentParser
import ScalingLaws

struct Curve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Forecast where a partial run will end: fit its learning curve L(t) = E + A·t^-alpha and read it at a later token count.",
        discussion: HelpText.discussion(
            "The CSV is long-format: one row per logged point, with a run identifier (run, run_id, name), the tokens seen (tokens, tokens_seen; or step with --tokens-per-step) and the loss; params from a column or --params. Points under warmup are skipped (--skip-fraction of the tokens fitted, 0.1 by default, or --skip-tokens).",
            "`calibrated_interval` is the interval to read: the new-run interval widened by the forecast error the curve showed when it forecast its own later points from earlier prefixes (its growth with the log of the extrapolation ratio is pooled with a prior measured on public runs; see \"How honest are the intervals?\" in the README). `interval` covers the loss the run will log at --at if the curve's form is right (parameter uncertainty plus the curve's scatter); `law_interval` is the fitted curve's alone; `extrapolation` is --at over the last fitted token count. --through fits only the points up to that many tokens, to test the forecast against the rest of the run (`actual` is the logged loss at --at when there is one).",
            "Schedule-aware (--law multi-power or momentum): the CSV has run, step, lr and loss columns; rows may leave the loss (or the lr) empty, and between rows the lr is linear in the step. The law is fitted to the --train runs (shared parameters, each run under its own schedule) and forecasts run --run from its schedule alone; --through STEP also fits the run's own points up to STEP (a run in progress whose remaining schedule is planned). Intervals: where the logged loss will land, from parameter uncertainty and a backtest of the forecast error within the file.",
            examples: [
                "scaling curve Examples/data/learning_curves_synthetic.csv --run m160 --through 9.6e8 --at 3.2e9 --plot curve.svg",
                "scaling curve Examples/data/learning_curves_synthetic.csv --run m640 --at 1e10",
                "scaling curve Examples/data/learning_curves_synthetic.csv --run m160 --through 9.6e8 --at 3.2e9 --format json",
                "scaling curve Examples/data/multipower_25m.csv --law multi-power --train cosine_24000,constant_24000,wsdcon_9 --run cosine_72000 --through 21600 --plot mpl.svg",
                "scaling curve Examples/data/multipower_25m.csv --law momentum --train cosine_24000,constant_24000,wsdcon_9 --run wsdcon_18 --at 8000,12000 --json",
            ]
        )
    )

    @Argument(help: "Long-format CSV: run, tokens (or step), loss, and params.")
    var file: String

    @Option(name: .customLong("run"), help: "The run to forecast (its identifier in the run column).")
    var runName: String

    @Option(help: "Tokens seen at which to forecast the loss (units allowed, e.g. 1.4T); with --law multi-power or momentum, steps (a comma-separated list).")
    var at: String?

    @Option(help: "Schedule-aware law of the whole curve: multi-power or momentum (reads the lr column; see the discussion).")
    var law: String?

    @Option(help: "With --law: the runs to fit, comma-separated (default: every other run with losses).")
    var train: String?

    @Option(help: "With --law: column holding the learning rate (default: lr, learning_rate).")
    var lrCol: String?

    @Option(name: .customLong("fix"), help: ArgumentHelp("With --law: hold parameters at values, name=value[,…]; repeatable (all given: nothing is fitted).", valueName: "name=value"))
    var fix: [String] = []

    @Option(name: .customLong("init"), help: ArgumentHelp("With --law: start values, name=value[,…]; repeatable.", valueName: "name=value"))
    var initial: [String] = []

    @Option(help: ArgumentHelp("With --law: bounds name=lo:hi; repeatable.", valueName: "name=lo:hi"))
    var bounds: [String] = []

    @Option(help: ArgumentHelp("With --law: tie parameters, a=b; repeatable.", valueName: "a=b"))
    var tie: [String] = []

    @Flag(help: "JSON output (same as --format json).")
    var json = false

    @Option(help: "Fit only the points up to this many tokens.")
    var through: String?

    @Option(help: "Skip points at or below this many tokens (warmup).")
    var skipTokens: String?

    @Option(help: "Skip points below this fraction of the last token count fitted (default 0.1).")
    var skipFraction: Double?

    @Option(help: "Model size N when the file has no params column.")
    var params: String?

    @Option(help: "Tokens per optimizer step: read a step column and convert (units allowed, e.g. 4M).")
    var tokensPerStep: String?

    @Option(help: "Column holding the run identifier (default: run, run_id, name, id, model).")
    var runCol: String?
    @Option(help: "Column holding the tokens seen (default: tokens, D, tokens_seen, …).")
    var tokensCol: String?
    @Option(help: "Column holding the step, with --tokens-per-step (default: step, steps, iteration, iter).")
    var stepCol: String?
    @Option(help: "Column holding the loss (default: loss, val_loss, eval_loss, train_loss).")
    var lossCol: String?
    @Option(help: "Column holding model parameters N (default: params, N, n_params, …).")
    var paramsCol: String?

    @OptionGroup var intervals: UncertaintyOptions
    @OptionGroup var plot: PlotOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        if let law, law.lowercased() != "saturating" {
            return try ScheduleCurveRun(command: self, lawName: law).run()
        }
        try reportingErrors {
            if train != nil || lrCol != nil || !fix.isEmpty || !initial.isEmpty || !bounds.isEmpty || !tie.isEmpty {
                throw CLIError(message: "--train, --lr-col, --fix, --init, --bounds and --tie need a schedule-aware law: --law multi-power or --law momentum")
            }
            guard let at else { throw CLIError(message: "--at: give the token count to forecast, e.g. --at 1e10") }
            try intervals.check()
            try plot.check()
            let target = try quantity(at, flag: "--at")
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
            let n = try params.map { try quantity($0, flag: "--params") }
            let perStep = try tokensPerStep.map { try quantity($0, flag: "--tokens-per-step") }
            let curves = try CurveTable.curves(contentsOf: file, columns: .init(run: runCol, params: paramsCol, tokens: tokensCol,
                                                                          step: stepCol, loss: lossCol),
                                               tokensPerStep: perStep, params: n)
            if let note = CurveTable.averagingNote(curves) { noteOnStderr(note) }
            guard let curve = curves.first(where: { $0.run == runName }) else {
                let names = curves.prefix(10).map(\.run).joined(separator: ", ")
                throw CLIError(message: "--run: no run \"\(runName)\" in \(file); runs: \(names)\(curves.count > 10 ? ", …" : "")")
            }
            let forecast = try curve.forecast(at: target, options: options)
            try plot.write {
                // The points the fit did not use after the fitted range (--through) are scored as held out.
                let fitted = forecast.fittedTokens
                let later = zip(curve.tokens, curve.losses).filter { $0.0 > fitted.upperBound }
                    .map { Run(params: curve.params, tokens: $0.0, loss: $0.1) }
                let scored = try forecast.uncertainty.predictions(later, calibration: forecast.calibration)
                let heldOut = zip(later, scored).map { run, p in
                    BacktestRun(run: run, predicted: p.value, actual: run.loss!, interval: p.runInterval,
                                extrapolation: run.tokens! / fitted.upperBound, lawInterval: p.interval,
                                calibratedInterval: p.calibratedInterval)
                }
                return try LawPlot(fit: forecast.fit, uncertainty: forecast.uncertainty, calibration: forecast.calibration, heldOut: heldOut,
                                   reach: max(1.5, target / fitted.upperBound * 1.3), pointNoun: "points", colorBySize: false)
                    .render(title: "Learning curve of run \(forecast.run): forecast at \(Units.count(target)) tokens",
                            subtitle: "\(forecast.fit.law.formula) on tokens seen; \(forecast.pointsUsed) points fitted, \(forecast.pointsSkipped) skipped as warmup, \(heldOut.count) later points held out")
            }
            switch json ? .json : format {
            case .json: try printJSON(CurveReport(forecast))
            case .text: print(CurveReport.text(forecast, file: file))
            }
        }
    }
}

/// `scaling curve --format json`.
struct CurveReport: Encodable {
    var run: String
    var at: Double
    var loss: Double
    var interval: Interval
    var lawInterval: Interval
    var calibratedInterval: Interval
    var extrapolation: Double
    var calibration: CalibrationRecord
    var level: Double
    var intervalMethod: String
    var actual: Double?
    var parameters: [String: Double]
    var standardErrors: [String: Double]
    var formula: String
    var objective: String
    var pointsUsed: Int
    var pointsSkipped: Int
    var pointsHeldOut: Int
    var fittedFrom: Double
    var fittedThrough: Double

    enum CodingKeys: String, CodingKey {
        case run, at, loss, interval, level, actual, parameters, formula, objective
        case lawInterval = "law_interval", calibratedInterval = "calibrated_interval", extrapolation, calibration
        case intervalMethod = "interval_method", standardErrors = "standard_errors"
        case pointsUsed = "points_used", pointsSkipped = "points_skipped", pointsHeldOut = "points_held_out"
        case fittedFrom = "fitted_from_tokens", fittedThrough = "fitted_through_tokens"
    }

    init(_ f: CurveForecast) {
        run = f.run
        at = f.target
        loss = f.loss
        interval = f.interval
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
        fittedFrom = f.fittedTokens.lowerBound
        fittedThrough = f.fittedTokens.upperBound
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(run, forKey: .run)
        try c.encode(at, forKey: .at)
        try c.encode(loss, forKey: .loss)
        try c.encode(interval, forKey: .interval)
        try c.encode(lawInterval, forKey: .lawInterval)
        try c.encode(calibratedInterval, forKey: .calibratedInterval)
        try c.encode(extrapolation, forKey: .extrapolation)
        try c.encode(calibration, forKey: .calibration)
        try c.encode(level, forKey: .level)
        try c.encode(intervalMethod, forKey: .intervalMethod)
        try c.encode(actual, forKey: .actual)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(standardErrors, forKey: .standardErrors)
        try c.encode(formula, forKey: .formula)
        try c.encode(objective, forKey: .objective)
        try c.encode(pointsUsed, forKey: .pointsUsed)
        try c.encode(pointsSkipped, forKey: .pointsSkipped)
        try c.encode(pointsHeldOut, forKey: .pointsHeldOut)
        try c.encode(fittedFrom, forKey: .fittedFrom)
        try c.encode(fittedThrough, forKey: .fittedThrough)
    }

    static func text(_ f: CurveForecast, file: String) -> String {
        var lines = [
            "run        \(f.run) from \(file)",
            "curve      \(f.fit.law.formula), t = tokens seen",
            "points     \(f.pointsUsed) fitted from \(Report.count(f.fittedTokens.lowerBound)) to \(Report.count(f.fittedTokens.upperBound)) tokens; \(f.pointsSkipped) skipped as warmup; \(f.pointsHeldOut) after --through not used",
            "parameters \(Report.parameterLine(f.fit))",
            "forecast   loss \(String(format: "%.4f", f.loss)) at \(Report.count(f.target)) tokens (\(Report.ratio(f.extrapolation)) the last fitted point)",
            "interval   \(Report.pct(f.uncertainty.level)) calibrated \(Report.interval(f.calibratedInterval)); without the forecast-error term: this run's loss \(Report.interval(f.interval)), curve alone \(Report.interval(f.lawInterval)) (\(f.uncertainty.method.rawValue))",
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
