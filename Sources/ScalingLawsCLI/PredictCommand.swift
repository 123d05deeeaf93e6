import ArgumentParser
import ScalingLaws

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Predict the loss of runs from a fitted law, with intervals.",
        discussion: HelpText.discussion(
            "Give target values with --params, --tokens and --flops (comma-separated lists are paired element by element; a single value is repeated). A missing one of N, D, C is derived from C = k·N·D. --unique-tokens sets the unique data U of the data-constrained law. The --fit example reads the fit that `scaling fit … --save fit.json` writes.",
            "Each prediction has the interval of the law itself, the wider interval for one new run (adding the runs' scatter about the law), and the calibrated interval: the new-run interval widened by the forecast error the law showed when backtested inside the runs at growing extrapolation (the one to trust; see \"How honest are the intervals?\" in the README). `extrapolation` gives the target over the largest fitted value of each variable; targets beyond the ratios the calibration was measured at are warned about.",
            examples: [
                "scaling predict Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --params 70B --tokens 1.4T",
                "scaling predict --fit fit.json --params 1B,7B,70B --tokens 20B,140B,1.4T",
                "scaling predict Examples/data/chinchilla_fig4_fitset.csv --law saturating --x flops --flops 1e24 --bootstrap 200 --format json",
                "scaling predict Examples/data/bnsl_synthetic.csv --law bnsl --x steps --at 1e6,1e7",
            ]
        )
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var intervals: UncertaintyOptions

    @Option(help: "Target model sizes N (comma-separated; units like 70B allowed).")
    var params: [String] = []
    @Option(help: "Target training tokens D (comma-separated).")
    var tokens: [String] = []
    @Option(help: "Target training FLOPs C (comma-separated).")
    var flops: [String] = []
    @Option(help: "Value(s) of the variable of a one-variable law (bnsl, test-time, power, saturating, a one-variable formula).")
    var at: [String] = []
    @Option(help: "Unique tokens available U, for the data-constrained law (comma-separated).")
    var uniqueTokens: [String] = []

    @Flag(help: "Show how the forecast moves under raw MSE, log MSE, Huber and the asymmetric objective.")
    var objectives = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            try intervals.check()
            let n = try quantities(params, flag: "--params")
            let d = try quantities(tokens, flag: "--tokens")
            let c = try quantities(flops, flag: "--flops")
            let x = try at.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { item in
                guard let v = parseQuantity(String(item)) else {
                    throw CLIError(message: "--at: expected a number such as 64 or 1e21, got \(displayQuoted(String(item)))")
                }
                return v
            }
            let u = try quantities(uniqueTokens, flag: "--unique-tokens")
            let count = max(n.count, d.count, c.count, x.count)
            guard count > 0 else {
                throw CLIError(message: "no targets: give --params, --tokens and/or --flops (or --at for a one-variable law) for the runs to predict")
            }
            for (flag, list) in [("--params", n), ("--tokens", d), ("--flops", c), ("--at", x), ("--unique-tokens", u)]
            where list.count > 1 && list.count != count {
                throw CLIError(message: "\(flag) has \(list.count) values but another target list has \(count); give one value or \(count)")
            }
            func pick(_ list: [Double], _ i: Int) -> Double? { list.isEmpty ? nil : list[list.count == 1 ? 0 : i] }
            let result = try source.fittedLaw()
            let law = result.law
            if !x.isEmpty && law.variables.count != 1 {
                throw CLIError(message: "--at sets the variable of a one-variable law; the \(law.name) law reads \(law.variables.joined(separator: ", ")): use --params, --tokens, --flops")
            }
            if !u.isEmpty && !law.variables.contains(DataConstrainedLaw.uniqueTokens) {
                throw CLIError(message: "--unique-tokens applies to the data-constrained law only")
            }
            let targets = (0..<count).map { i in
                var run = Run(params: pick(n, i), tokens: pick(d, i), flops: pick(c, i))
                if let v = pick(x, i) { run.setValue(v, of: law.variables[0]) }
                if let v = pick(u, i) { run.values[DataConstrainedLaw.uniqueTokens] = v }
                return run.completed(flopsPerParamToken: result.flopsPerParamToken)
            }
            // N, D and C all given must agree with C = k·N·D (the law would read some and ignore the rest).
            for (i, t) in targets.enumerated() where !n.isEmpty && !d.isEmpty && !c.isEmpty {
                let k = result.flopsPerParamToken
                let implied = k * t.params! * t.tokens!
                if abs(implied / t.flops! - 1) > 1e-3 {
                    throw CLIError(message: "--flops contradicts --params and --tokens for target \(i + 1): \(formatK(k))·N·D = \(implied) but --flops gives \(t.flops!); give two of the three")
                }
            }
            if objectives {
                let fits = try ObjectiveComparison.fits(of: result, options: try source.law.fitOptions(for: result.law))
                let predictions = try fits.map { try $0.predict(targets) }
                switch format {
                case .json: try printJSON(ObjectivesReport(fits: fits, predictions: predictions, optima: nil))
                case .text: output(Report.objectives(fits, targets: (targets, predictions), flops: nil))
                }
                return
            }
            try result.validateTargets(targets)
            let losses = try result.predict(targets)
            let uncertainty = try intervals.uncertainty(of: result)
            // The calibrated interval needs the fitted runs, to backtest inside them.
            let calibration = uncertainty == nil ? nil : try result.forecastCalibration()
            let withIntervals = try calibration.map { c in try uncertainty!.predictions(targets, calibration: c) }
            let predictions = targets.indices.map { i in
                PredictionRecord(params: targets[i].params, tokens: targets[i].tokens, flops: targets[i].flops,
                                 values: targets[i].values.isEmpty ? nil : targets[i].values, loss: losses[i],
                                 interval: withIntervals?[i].interval, runInterval: withIntervals?[i].runInterval,
                                 calibratedInterval: withIntervals?[i].calibratedInterval,
                                 extrapolation: result.runs > 0 ? ExtrapolationRecord(result.extrapolation(to: targets[i])) : nil)
            }
            switch format {
            case .json:
                try printJSON(PredictReport(law: result.law.name, objective: result.record.objective, parameters: result.parameterValues,
                                            predictions: predictions, uncertainty: uncertainty.map(UncertaintyRecord.init),
                                            calibration: calibration.map(CalibrationRecord.init)))
            case .text:
                output(Report.predictions(result, predictions, uncertainty: uncertainty, calibration: calibration, source: source.origin))
            }
        }
    }
}

/// The comma-separated positive numbers of a repeatable list option. An empty value or an empty item
/// (`--tokens ''`, `--flops 1e21,,1e22`, `--through ,`) is an error, never an empty or shorter list.
func quantities(_ values: [String], flag: String) throws -> [Double] {
    try values.flatMap { value -> [Substring] in
        let items = value.split(separator: ",", omittingEmptySubsequences: false)
        if items.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw CLIError(message: "\(flag): expected a positive number such as 70e9 or 70B\(items.count > 1 ? " in each comma-separated item" : ""), got \(displayQuoted(value))")
        }
        return items
    }.map { item in
        guard let v = parseQuantity(String(item)), v > 0, v.isNormal else {
            throw CLIError(message: "\(flag): expected a positive number such as 70e9 or 70B, got \(displayQuoted(String(item)))")
        }
        return v
    }
}

/// The one positive number of a single-value option: a list (`--at 1e10,2e10`) is refused, not cut to
/// its first item.
func quantity(_ value: String, flag: String) throws -> Double {
    let values = try quantities([value], flag: flag)
    guard values.count == 1 else {
        throw CLIError(message: "\(flag): takes one value, got \(values.count) (\(displayQuoted(value)))")
    }
    return values[0]
}

private func formatK(_ k: Double) -> String { k == k.rounded() ? String(Int(k)) : String(k) }
