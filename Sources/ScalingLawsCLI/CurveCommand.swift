import ArgumentParser
import ScalingLaws

struct Curve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forecast where a partial run will end: fit its learning curve L(t) = E + A·t^-alpha and read it at a later token count.",
        discussion: """
            The CSV is long-format: one row per logged point, with a run identifier (run, run_id, name),
            the tokens seen (tokens, tokens_seen; or step with --tokens-per-step) and the loss; params
            from a column or --params. Points under warmup are skipped (--skip-fraction of the tokens
            fitted, 0.1 by default, or --skip-tokens). `interval` covers the loss the run will log at
            --at (parameter uncertainty plus the curve's scatter); `law_interval` is the fitted curve's
            alone. --through fits only the points up to that many tokens, to test the forecast against
            the rest of the run (`actual` is the logged loss at --at when there is one).
            Examples:
              scaling curve Examples/data/learning_curves_synthetic.csv --run r1 --through 2e9 --at 1e10 --plot curve.svg
              scaling curve Examples/data/learning_curves_synthetic.csv --run m160 --at 3.2e9
              scaling curve Examples/data/learning_curves_synthetic.csv --run m160 --through 9.6e8 --at 3.2e9 --format json
              scaling curve log.csv --run 7b --tokens-per-step 4M --at 1.4e12 --skip-tokens 2e10
            """
    )

    @Argument(help: "Long-format CSV: run, tokens (or step), loss, and params.")
    var file: String

    @Option(name: .customLong("run"), help: "The run to forecast (its identifier in the run column).")
    var runName: String

    @Option(help: "Tokens seen at which to forecast the loss (units allowed, e.g. 1.4T).")
    var at: String

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
        try reportingErrors {
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
                let scored = try forecast.uncertainty.predictions(later)
                let heldOut = zip(later, scored).map { run, p in
                    BacktestRun(run: run, predicted: p.value, actual: run.loss!, interval: p.runInterval,
                                extrapolation: run.tokens! / fitted.upperBound)
                }
                return try LawPlot(fit: forecast.fit, uncertainty: forecast.uncertainty, heldOut: heldOut,
                                   reach: max(1.5, target / fitted.upperBound * 1.3))
                    .render(title: "Learning curve of run \(forecast.run): forecast at \(Units.count(target)) tokens",
                            subtitle: "\(forecast.fit.law.formula) on tokens seen; \(forecast.pointsUsed) points fitted, \(forecast.pointsSkipped) skipped as warmup, \(heldOut.count) later points held out")
            }
            switch format {
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
        case lawInterval = "law_interval", intervalMethod = "interval_method", standardErrors = "standard_errors"
        case pointsUsed = "points_used", pointsSkipped = "points_skipped", pointsHeldOut = "points_held_out"
        case fittedFrom = "fitted_from_tokens", fittedThrough = "fitted_through_tokens"
    }

    init(_ f: CurveForecast) {
        run = f.run
        at = f.target
        loss = f.loss
        interval = f.interval
        lawInterval = f.lawInterval
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
            "forecast   loss \(String(format: "%.4f", f.loss)) at \(Report.count(f.target)) tokens; \(Report.pct(f.uncertainty.level)) interval \(Report.interval(f.interval)) (this run's logged loss), curve alone \(Report.interval(f.lawInterval)) (\(f.uncertainty.method.rawValue))",
        ]
        if let actual = f.actual {
            lines.append("actual     \(String(format: "%.4f", actual)) logged at \(Report.count(f.target)) tokens: \(f.interval.contains(actual) ? "inside" : "OUTSIDE") the interval, error \(String(format: "%+.2f%%", 100 * (f.loss / actual - 1)))")
        }
        return lines.joined(separator: "\n")
    }
}
