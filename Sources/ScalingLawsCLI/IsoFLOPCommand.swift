import ArgumentParser
import ScalingLaws

struct IsoFLOP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isoflop",
        abstract: "Compute-optimal N*(C) and D*(C) from isoFLOP profiles (Hoffmann et al. 2022, Approach 2).",
        discussion: HelpText.discussion(
            "Runs are grouped by FLOP budget: by a \"budget\" column when present (or --budget-col), otherwise by clustering C in log space. Per budget, the minimum of the loss over ln N gives N*, D* = C/(k·N*) and L* (--minimum): window, a parabola in ln N through ln L of the lowest point and up to 3 sizes each side (the default: best in measurements on lopsided synthetic sweeps with noise); spline, an Akima spline of ln L on ln N with its exact argmin (Porian et al. 2024), best on smooth, seed-averaged profiles; parabola, one parabola through every run (Hoffmann et al. 2022); cubic, one cubic through every run.",
            "A budget without an interior minimum (too few sizes, lowest loss at the smallest or largest size sampled) is skipped with a warning; at least 3 budgets must remain. N*(C) = k_N·C^a and D*(C) = k_D·C^b come from least squares of ln N* on ln C. Intervals: without resampling, Student t from the budgets' scatter about the line; --bootstrap K resamples runs within budgets; --noise σ with --bootstrap (seed-to-seed noise in ln L) perturbs the losses instead, gives SE(ln N*) per budget, weights the fit by 1/SE² and gives the intervals. As in every command, the bootstrap is opt-in (plain --bootstrap means 1000 replicates) and seeded by --seed (default 1). L*(C) = E + A·C^-alpha with at least 4 budgets.",
            examples: [
                "scaling isoflop Examples/data/isoflop_synthetic.csv",
                "scaling isoflop Examples/data/isoflop_synthetic.csv --flops 3.8e25 --format json",
                "scaling isoflop Examples/data/isoflop_synthetic.csv --noise 0.005 --bootstrap 200 --seed 7",
                "scaling isoflop Examples/data/isoflop_synthetic.csv --minimum parabola --bootstrap 200",
                "scaling isoflop Examples/data/isoflop_synthetic.csv --flops 1e23 --plot isoflop.svg",
            ]
        )
    )

    @Argument(help: "CSV of isoFLOP runs: params, loss, and a budget column or flops (or tokens, for C = k·N·D).")
    var file: String

    @OptionGroup var flopTargets: FlopsTargetOptions
    var flops: [Double] { flopTargets.flops.values }

    @Option(help: "How each budget's minimum is found: window, spline, parabola or cubic.")
    var minimum: IsoFLOPProfile.Method = .window

    @Flag(help: "Same as --minimum cubic.")
    var cubic = false

    @Option(help: "Column naming each run's budget (default: \"budget\" when the file has it).")
    var budgetCol: String?

    @Option(help: "Without a budget column: largest gap in ln C within one budget (0.1 ≈ 10%).")
    var budgetTolerance: Double = 0.1

    @Option(help: ArgumentHelp("Seed-to-seed noise of the loss in ln L (e.g. 0.005), with --bootstrap [K]: a noise bootstrap, SE(ln N*) per budget, weighted exponent fit.",
                               valueName: "sigma"))
    var noise: Double?

    @OptionGroup var intervals: UncertaintyOptions

    @OptionGroup var accounting: FlopsAccountingOptions
    var flopsPerParamToken: Double { accounting.flopsPerParamToken }

    @OptionGroup var columns: ColumnOptions<RunColumns>

    @OptionGroup var formatting: OutputOptions

    @OptionGroup var plot: PlotOptions

    func validate() throws {
        if noise != nil && intervals.bootstrap == nil {
            throw ValidationError("--noise perturbs the losses in a bootstrap: add --bootstrap (1000 replicates) or --bootstrap K")
        }
    }

    func run() throws {
        try reportingErrors {
            let targets = flops
            if cubic && minimum != .window && minimum != .cubic {
                throw CLIError(message: "--cubic means --minimum cubic: drop one of --cubic and --minimum \(minimum.rawValue)")
            }
            let table = try RunFile(contentsOf: file)
            var options = IsoFLOPOptions()
            options.minimum = cubic ? .cubic : minimum
            options.budgetTolerance = budgetTolerance
            options.bootstrapReplicates = intervals.bootstrap
            options.noise = noise
            options.level = intervals.level
            options.seed = intervals.seed
            options.flopsPerParamToken = flopsPerParamToken
            if let name = budgetCol {
                guard let i = table.columnIndex([name]) else {
                    throw ScalingLawsError.missingColumn(file: file, needed: "budget", tried: [name], available: table.header,
                                                         hint: "check the name given to --budget-col")
                }
                options.budgetColumn = table.header[i]
            } else if let i = table.columnIndex(["budget"]) {
                options.budgetColumn = table.header[i]
            }
            // With a budget column, C is the budget: no flops or tokens column is needed.
            let variables = [Variable.params] + (options.budgetColumn.map { [$0] } ?? [Variable.flops])
            let runs = try columns.runs(from: table, variables: variables, flopsPerParamToken: flopsPerParamToken)
            let analysis = try IsoFLOPAnalysis(runs: runs, options: options)
            let predictions = try targets.map { try analysis.predict(flops: $0) }
            try plot.write { try IsoFLOPPlot(analysis: analysis, runs: runs, predictions: predictions).render(source: file) }
            switch formatting.format {
            case .json:
                for s in analysis.skipped { warnOnStderr("skipped \(s.description)") }
                try printJSON(IsoFLOPReport(analysis: analysis, predictions: predictions))
            case .text: output(Report.isoFLOP(analysis, predictions, source: file))
            }
        }
    }
}

extension IsoFLOPProfile.Method: EnumArgument {}

/// `scaling isoflop --format json`: `runs`, `minimum` (the method), `grouping`, `flops_per_param_token`,
/// `budgets` (`flops`, `params`, `tokens`, `loss`, `curvature`, `runs`, `min_params`, `max_params`,
/// `log_params_se` with --noise, `weight`), `skipped` (`flops`, `reason`), the allocation keys, their
/// `…_interval`s, `interval_method`, `bootstrap` (`kind`, `replicates`, `used`, `discarded`, `level`,
/// `seed`, `noise`; null without), and `prediction`/`predictions` with --flops.
struct IsoFLOPReport: Encodable {
    var analysis: IsoFLOPAnalysis
    var predictions: [AllocationPrediction]

    struct Budget: Encodable {
        var flops, params, tokens, loss, curvature: Double
        var runs: Int
        var minParams, maxParams: Double
        var logParamsSE: Double?
        var weight: Double
    }

    struct Bootstrap: Encodable {
        var kind: String
        var replicates, used, discarded: Int
        var level: Double
        var seed: UInt64
        var noise: Double?
    }

    private struct Fields: Encodable {
        var runs: Int
        var minimum: String
        var grouping: String
        var flopsPerParamToken: Double
        var budgets: [Budget]
        var skipped: [BudgetRefusal]
        @NullWhenAbsent var bootstrap: Bootstrap?
        @NullWhenAbsent var paramsExponentInterval: Interval?
        @NullWhenAbsent var paramsCoefficientInterval: Interval?
        @NullWhenAbsent var tokensExponentInterval: Interval?
        @NullWhenAbsent var tokensCoefficientInterval: Interval?
        var intervalMethod: String
    }

    func encode(to encoder: any Encoder) throws {
        let total = analysis.regression.weights.reduce(0, +)
        let budgets = zip(analysis.budgets, analysis.regression.weights).map { b, w in
            Budget(flops: b.flops, params: b.params, tokens: b.tokens, loss: b.loss, curvature: b.curvature, runs: b.runs,
                   minParams: b.sampledParams.lowerBound, maxParams: b.sampledParams.upperBound, logParamsSE: b.logParamsStandardError,
                   weight: w / total)
        }
        let bootstrap = analysis.bootstrap.map {
            Bootstrap(kind: $0.kind.rawValue, replicates: $0.requested, used: $0.replicates.count, discarded: $0.discarded,
                      level: $0.level, seed: $0.seed, noise: $0.kind == .noise ? analysis.options.noise : nil)
        }
        try Fields(runs: analysis.runs, minimum: analysis.options.minimum.rawValue,
                   grouping: analysis.options.budgetColumn.map { "column \($0)" } ?? "clustered (tolerance \(analysis.options.budgetTolerance) in ln C)",
                   flopsPerParamToken: analysis.options.flopsPerParamToken, budgets: budgets, skipped: analysis.skipped,
                   bootstrap: bootstrap, paramsExponentInterval: analysis.paramsExponentInterval,
                   paramsCoefficientInterval: analysis.paramsCoefficientInterval, tokensExponentInterval: analysis.tokensExponentInterval,
                   tokensCoefficientInterval: analysis.tokensCoefficientInterval, intervalMethod: analysis.intervalMethod)
            .encode(to: encoder)
        try AllocationFields(allocation: analysis.allocation, lossLaw: analysis.lossLaw, predictions: predictions).encode(to: encoder)
    }
}

extension Report {
    static func isoFLOP(_ a: IsoFLOPAnalysis, _ predictions: [AllocationPrediction], source: String) -> String {
        let grouping = a.options.budgetColumn.map { "by column \"\($0)\"" }
            ?? "clustered by C (gap > \(number(a.options.budgetTolerance)) in ln C starts a budget)"
        let method: String
        switch a.options.minimum {
        case .spline: method = "Akima spline of ln L on ln N per budget, exact argmin (Porian et al. 2024)"
        case .window: method = "parabola in ln N through ln L of the lowest point and up to 3 sizes either side"
        case .parabola: method = "one parabola in ln N per budget through every run, least squares (Hoffmann et al. 2022)"
        case .cubic: method = "one cubic in ln N per budget through every run, least squares"
        }
        var lines = [
            "isoflop    \(a.runs) runs from \(source) in \(a.budgets.count + a.skipped.count) budgets, \(grouping)",
            "minimum    \(a.options.minimum.rawValue): \(method); D* = C / (\(number(a.options.flopsPerParamToken))·N*)",
            "",
        ]
        let withSE = a.budgets.contains { $0.logParamsStandardError != nil }
        let rows = a.budgets.map { b in
            [flops(b.flops), String(b.runs), count(b.params), count(b.tokens), number(b.tokens / b.params),
             String(format: "%.6f", b.loss), number(b.curvature),
             "\(count(b.sampledParams.lowerBound))–\(count(b.sampledParams.upperBound))"]
                + (withSE ? [b.logParamsStandardError.map { String(format: "%.4f", $0) } ?? "—"] : [])
        }
        lines.append(table(["budget C", "runs", "params N*", "tokens D*", "tokens/param", "loss L*", "curvature", "sampled N"]
                           + (withSE ? ["SE ln N*"] : []), rows))
        for s in a.skipped { lines.append("warning    skipped \(s.description)") }
        lines.append("")
        lines.append(allocationLines(a.allocation, intervals: ["a": a.paramsExponentInterval, "k_N": a.paramsCoefficientInterval,
                                                               "b": a.tokensExponentInterval, "k_D": a.tokensCoefficientInterval],
                                     level: a.paramsExponentInterval == nil ? nil : a.options.level))
        if withSE { lines.append("fit        ln N* on ln C weighted by 1/SE(ln N*)² from the noise bootstrap") }
        var intervalLine = "intervals  \(a.intervalMethod)"
        if let b = a.bootstrap, b.discarded > 0 {
            intervalLine += "; \(b.discarded) discarded because some budget had no interior minimum"
        }
        lines.append(intervalLine)
        lines.append(lossLawLine(a.lossLaw))
        if !predictions.isEmpty { lines += ["", allocationPredictions(predictions)] }
        return lines.joined(separator: "\n")
    }
}
