import ArgumentParser
import ScalingLaws

struct IsoFLOP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isoflop",
        abstract: "Compute-optimal N*(C) and D*(C) from isoFLOP profiles (Hoffmann et al. 2022, Approach 2).",
        discussion: HelpText.discussion(
            "Runs are grouped by FLOP budget: by a \"budget\" column when present (or --budget-col), otherwise by clustering C in log space. Per budget, the loss is fitted against ln N by a parabola (--cubic: a cubic) with LAPACK least squares; its minimum gives N*, D* = C/(k·N*) and L*. A budget with too few runs, or with its minimum outside its sampled sizes, is refused by name.",
            "N*(C) = k_N·C^a and D*(C) = k_D·C^b are fitted by log-log least squares, with percentile intervals from resampling runs within budgets; L*(C) = E + A·C^-alpha with at least 4 budgets.",
            examples: [
                "scaling isoflop Examples/data/isoflop_synthetic.csv",
                "scaling isoflop Examples/data/isoflop_synthetic.csv --flops 3.8e25 --format json",
                "scaling isoflop Examples/data/isoflop_synthetic.csv --cubic --bootstrap 2000 --seed 7",
                "scaling isoflop Examples/data/isoflop_synthetic.csv --flops 1e23 --plot isoflop.svg",
            ]
        )
    )

    @Argument(help: "CSV of isoFLOP runs: params, loss, and a budget column or flops (or tokens, for C = k·N·D).")
    var file: String

    @Option(help: "FLOP budget(s) to extrapolate N*, D* and L* to (comma-separated; e.g. 3.8e25).")
    var flops: [String] = []

    @Flag(help: "Fit a cubic in ln N per budget instead of a parabola.")
    var cubic = false

    @Option(help: "Column naming each run's budget (default: \"budget\" when the file has it).")
    var budgetCol: String?

    @Option(help: "Without a budget column: largest gap in ln C within one budget (0.1 ≈ 10%).")
    var budgetTolerance: Double = 0.1

    @Option(help: "Bootstrap replicates for the intervals (0: none).")
    var bootstrap: Int = 1000

    @Option(help: "Coverage of the percentile intervals.")
    var level: Double = 0.95

    @Option(help: "Seed of the resampling generator.")
    var seed: UInt64 = 0

    @Flag(help: "Leave out (and list) budgets without a minimum inside their sampled sizes instead of stopping.")
    var skipRefused = false

    @Option(help: "FLOPs per parameter per token, k in C = k·N·D.")
    var flopsPerParamToken: Double = 6

    @OptionGroup var columns: ColumnOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var plot: PlotOptions

    func run() throws {
        try reportingErrors {
            let targets = try quantities(flops, flag: "--flops")
            try plot.check()
            let table = try CSVTable(contentsOf: file)
            var options = IsoFLOPOptions()
            options.shape = cubic ? .cubic : .parabola
            options.budgetTolerance = budgetTolerance
            options.bootstrapReplicates = bootstrap
            options.level = level
            options.seed = seed
            options.skipRefused = skipRefused
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
            switch format {
            case .json: try printJSON(IsoFLOPReport(analysis: analysis, predictions: predictions))
            case .text: output(Report.isoFLOP(analysis, predictions, source: file))
            }
        }
    }
}

/// `scaling isoflop --format json`: `runs`, `profile`, `grouping`, `flops_per_param_token`, `budgets`
/// (`flops`, `params`, `tokens`, `loss`, `curvature`, `runs`, `min_params`, `max_params`), `refused`
/// (`flops`, `reason`), the allocation keys, their `…_interval`s and `bootstrap` (`replicates`, `used`,
/// `discarded`, `level`, `seed`; null without), and `prediction`/`predictions` with --flops.
struct IsoFLOPReport: Encodable {
    var analysis: IsoFLOPAnalysis
    var predictions: [AllocationPrediction]

    enum Keys: String, CodingKey {
        case runs, profile, grouping, budgets, refused, bootstrap
        case flopsPerParamToken = "flops_per_param_token"
        case paramsExponentInterval = "params_exponent_interval"
        case paramsCoefficientInterval = "params_coefficient_interval"
        case tokensExponentInterval = "tokens_exponent_interval"
        case tokensCoefficientInterval = "tokens_coefficient_interval"
    }

    struct Budget: Encodable {
        var flops, params, tokens, loss, curvature: Double
        var runs: Int
        var minParams, maxParams: Double
        enum CodingKeys: String, CodingKey {
            case flops, params, tokens, loss, curvature, runs
            case minParams = "min_params", maxParams = "max_params"
        }
    }

    struct Bootstrap: Encodable {
        var replicates, used, discarded: Int
        var level: Double
        var seed: UInt64
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(analysis.runs, forKey: .runs)
        try c.encode(analysis.options.shape.rawValue, forKey: .profile)
        try c.encode(analysis.options.budgetColumn.map { "column \($0)" } ?? "clustered (tolerance \(analysis.options.budgetTolerance) in ln C)", forKey: .grouping)
        try c.encode(analysis.options.flopsPerParamToken, forKey: .flopsPerParamToken)
        try c.encode(analysis.budgets.map {
            Budget(flops: $0.flops, params: $0.params, tokens: $0.tokens, loss: $0.loss, curvature: $0.curvature, runs: $0.runs,
                   minParams: $0.sampledParams.lowerBound, maxParams: $0.sampledParams.upperBound)
        }, forKey: .budgets)
        try c.encode(analysis.refused, forKey: .refused)
        let b = analysis.bootstrap
        try c.encode(b.map { Bootstrap(replicates: $0.requested, used: $0.replicates.count, discarded: $0.discarded, level: $0.level, seed: $0.seed) },
                     forKey: .bootstrap)
        try c.encode(b?.paramsExponent, forKey: .paramsExponentInterval)
        try c.encode(b?.paramsCoefficient, forKey: .paramsCoefficientInterval)
        try c.encode(b?.tokensExponent, forKey: .tokensExponentInterval)
        try c.encode(b?.tokensCoefficient, forKey: .tokensCoefficientInterval)
        var shared = encoder.container(keyedBy: AllocationFields.Keys.self)
        try AllocationFields(allocation: analysis.allocation, lossLaw: analysis.lossLaw, predictions: predictions).encode(into: &shared)
    }
}

extension Report {
    static func isoFLOP(_ a: IsoFLOPAnalysis, _ predictions: [AllocationPrediction], source: String) -> String {
        let grouping = a.options.budgetColumn.map { "by column \"\($0)\"" }
            ?? "clustered by C (gap > \(number(a.options.budgetTolerance)) in ln C starts a budget)"
        var lines = [
            "isoflop    \(a.runs) runs from \(source) in \(a.budgets.count + a.refused.count) budgets, \(grouping)",
            "profile    \(a.options.shape.rawValue) in ln N per budget, least squares; D* = C / (\(number(a.options.flopsPerParamToken))·N*)",
            "",
        ]
        let rows = a.budgets.map { b in
            [flops(b.flops), String(b.runs), count(b.params), count(b.tokens), number(b.tokens / b.params),
             String(format: "%.6f", b.loss), number(b.curvature),
             "\(count(b.sampledParams.lowerBound))–\(count(b.sampledParams.upperBound))"]
        }
        lines.append(table(["budget C", "runs", "params N*", "tokens D*", "tokens/param", "loss L*", "curvature", "sampled N"], rows))
        for r in a.refused { lines.append("refused    \(r.description)") }
        lines.append("")
        let b = a.bootstrap
        lines.append(allocationLines(a.allocation, intervals: ["a": b?.paramsExponent, "k_N": b?.paramsCoefficient,
                                                               "b": b?.tokensExponent, "k_D": b?.tokensCoefficient],
                                     level: b?.level))
        if let b {
            lines.append("bootstrap  \(b.requested) replicates resampling runs within budgets (seed \(b.seed)); "
                         + "\(b.discarded) discarded because a resampled budget had no minimum inside its sampled sizes")
        } else {
            lines.append("bootstrap  none (--bootstrap 0)")
        }
        lines.append(lossLawLine(a.lossLaw))
        if !predictions.isEmpty { lines += ["", allocationPredictions(predictions)] }
        return lines.joined(separator: "\n")
    }
}
