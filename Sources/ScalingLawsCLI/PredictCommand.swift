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

    @OptionGroup var targets: TargetOptions
    @Option(help: "Value(s) of the variable of a one-variable law (bnsl, test-time, power, saturating, a one-variable formula).",
            transform: Quantities.finite)
    var at: [Quantities] = []
    @Option(help: "Unique tokens available U, for the data-constrained law (comma-separated).", transform: Quantities.positive)
    var uniqueTokens: [Quantities] = []

    @Flag(help: "Show how the forecast moves under raw MSE, log MSE, Huber and the asymmetric objective.")
    var objectives = false

    @OptionGroup var formatting: OutputOptions

    func run() throws {
        try reportingErrors {
            let (n, d, c) = (targets.params.values, targets.tokens.values, targets.flopTargets.flops.values)
            let (x, u) = (at.values, uniqueTokens.values)
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
                switch formatting.format {
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
                                 lawInterval: withIntervals?[i].lawInterval, newRunInterval: withIntervals?[i].newRunInterval,
                                 calibratedInterval: withIntervals?[i].calibratedInterval,
                                 extrapolation: result.runs > 0 ? ExtrapolationRecord(result.extrapolation(to: targets[i])) : nil)
            }
            switch formatting.format {
            case .json:
                try printJSON(PredictReport(law: result.law.name, objective: result.recordWithoutTrainingRuns.objective, parameters: result.parameterValues,
                                            predictions: predictions, uncertainty: uncertainty.map(UncertaintyRecord.init),
                                            calibration: calibration.map(CalibrationRecord.init)))
            case .text:
                output(Report.predictions(result, predictions, uncertainty: uncertainty, calibration: calibration, source: source.origin))
            }
        }
    }
}

/// Numbers as researchers write them on the command line (70B, 1.4T, 5.88e23; see `parseQuantity`), one
/// or a comma-separated list: the value type of the quantity options. argument-parser parses them (the
/// `transform` of the option) and reports a bad item as "The value … is invalid for '--flag <…>': …".
/// An empty value or an empty item (`--tokens ''`, `--flops 1e21,,1e22`) is an error, never an empty or
/// shorter list.
struct Quantities: ExpressibleByArgument, Sendable {
    var values: [Double]

    init?(argument: String) {
        guard let parsed = try? Self.positive(argument) else { return nil }
        self = parsed
    }

    private init(values: [Double]) { self.values = values }

    /// Positive numbers.
    @Sendable static func positive(_ text: String) throws -> Quantities {
        try parse(text, example: "a positive number such as 70e9 or 70B") { $0 > 0 && $0.isNormal }
    }

    /// Any finite numbers (the variable of a one-variable law).
    @Sendable static func finite(_ text: String) throws -> Quantities {
        try parse(text, example: "a number such as 64 or 1e21") { $0.isFinite }
    }

    /// One positive number: a list (`--tokens 1e10,2e10`) is refused, not cut to its first item.
    @Sendable static func one(_ text: String) throws -> Double {
        let values = try positive(text).values
        guard values.count == 1 else {
            throw CLIError(message: "takes one value, got \(values.count) (\(displayQuoted(text)))")
        }
        return values[0]
    }

    private static func parse(_ text: String, example: String, _ accept: (Double) -> Bool) throws -> Quantities {
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        if let empty = items.first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw CLIError(message: "expected \(example)\(items.count > 1 ? " in each comma-separated item" : ""), got \(displayQuoted(String(empty)))")
        }
        return Quantities(values: try items.map { item in
            guard let v = parseQuantity(String(item)), accept(v) else {
                throw CLIError(message: "expected \(example), got \(displayQuoted(String(item)))")
            }
            return v
        })
    }
}

extension Array where Element == Quantities {
    /// Every value of a repeatable list option, in order.
    var values: [Double] { flatMap(\.values) }
}

/// The positive numbers of list options given as text (`flag` names them in the error).
func quantities(_ values: [String], flag: String) throws -> [Double] {
    try values.flatMap { value -> [Double] in
        do { return try Quantities.positive(value).values } catch let error as CLIError {
            throw CLIError(message: "\(flag): \(error.message)")
        }
    }
}

/// The one positive number of a single-value option given as text.
func quantity(_ value: String, flag: String) throws -> Double {
    do { return try Quantities.one(value) } catch let error as CLIError {
        throw CLIError(message: "\(flag): \(error.message)")
    }
}

private func formatK(_ k: Double) -> String { k == k.rounded() && abs(k) < 1e15 ? String(Int(k)) : String(k) }
