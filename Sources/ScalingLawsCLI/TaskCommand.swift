import ArgumentParser
import ScalingLaws

struct Task: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Predict a downstream metric in two steps: (N, D) or C → task loss → accuracy (Llama 3; Bhagia et al. 2024).",
        discussion: HelpText.discussion(
            "One row per model: params, tokens (or flops), the task loss (or bits-per-byte, --loss-col) and the metric (--metric-col). Step 1 fits --law-loss to the task loss; step 2 fits --law-metric (sigmoid: y = a/(1 + exp(-k*(L - L0))) + b, b the chance floor; or exp-error: err = epsilon - k*exp(-gamma*L) for an error column) to the metric against the observed task loss. Predictions chain the two.",
            "`new_run_interval` covers one new model's metric (both steps' parameter uncertainty and scatter, delta method); `law_interval` is the parameter part; `extrapolation` is each target over the largest fitted value per variable.",
            "--metric-runs FILE fits step 2 on other models (task loss and metric columns), e.g. more and larger models than step 1, so that step 2 spans the targets' task loss; a target whose predicted task loss lies outside the losses step 2 was fitted on gets a warning. Presets (explicit --law-loss, --law-metric, --loss, --space win): gadre2024, overtrained → exp-error, least squares on raw values in both steps (Gadre et al. 2024, arXiv:2403.08540); llama3, a power law in C of the task NLL → a sigmoid of accuracy on NLL, least squares (Llama 3, arXiv:2407.21783, §3.2.1: step 1 on compute-optimal models, step 2 also on other, larger models: give them with --metric-runs).",
            examples: [
                "scaling task Examples/data/task_synthetic.csv --loss-col task_loss --metric-col accuracy --params 7e9 --tokens 1.4e11",
                "scaling task Examples/data/task_synthetic.csv --loss-col task_loss --metric-col accuracy --law-loss overtrained --params 1B,7B --tokens 1T,2T --format json",
            ]
        )
    )

    @Argument(help: "CSV with one row per model: params, tokens (or flops), task loss, metric.")
    var file: String

    @Option(help: "Column holding the metric to predict (accuracy, or an error rate for exp-error).")
    var metricCol: String

    @OptionGroup var columns: ColumnOptions<TaskColumns>
    /// The task-loss column (`--loss-col`).
    var lossCol: String? { columns.lossCol }

    @Option(help: ArgumentHelp("CSV of the models step 2 is fitted on (task loss and metric columns; default: the same file).", valueName: "file"))
    var metricRuns: String?

    @Option(help: "The objectives of a paper: gadre2024 or llama3 (see the discussion).")
    var preset: TaskPreset?

    @Option(help: "Step 1, (N, D) or C → task loss: chinchilla, overtrained, saturating (on flops), … (default: chinchilla, or the preset's).")
    var lawLoss: String?

    @Option(help: "Step 2, task loss → metric: sigmoid or exp-error (default: sigmoid, or the preset's).")
    var lawMetric: String?

    /// The objective of both steps (default: each law's own, or the preset's).
    @OptionGroup var objectiveOptions: ObjectiveOptions

    @OptionGroup var targets: TargetOptions

    @OptionGroup var accounting: FlopsAccountingOptions
    var flopsPerParamToken: Double { accounting.flopsPerParamToken }

    @OptionGroup var confidence: LevelOptions

    @OptionGroup var plot: PlotOptions

    @OptionGroup var formatting: OutputOptions

    static let metricLaws = ["sigmoid", "exp-error"]

    /// The objective of a step: --objective/--space/--delta/--tau, else the preset's, else the law's own.
    func objective(for law: any ScalingLaw, step: Int) -> Objective {
        objectiveOptions.objective(default: (step == 1 ? preset?.lossObjective : preset?.metricObjective) ?? law.defaultObjective ?? Objective())
    }

    /// The task-loss column: --loss-col, or the first loss name that is neither a metric name (accuracy,
    /// acc, pass_rate are loss aliases for `fit`, not task losses) nor the --metric-col column.
    static func taskLossColumn(_ table: CSVTable, lossCol: String?, metricCol: String) throws -> String {
        if let lossCol {
            guard lossCol.lowercased() != metricCol.lowercased() else {
                throw CLIError(message: "--loss-col and --metric-col both name \(displayQuoted(lossCol)); the task loss and the metric are two columns")
            }
            return lossCol
        }
        let metricNames: Set<String> = ["accuracy", "acc", "pass_rate"]
        let names = RunTable.aliases["loss"]!.filter { !metricNames.contains($0) && $0.lowercased() != metricCol.lowercased() }
        guard let i = table.columnIndex(names) else {
            throw ScalingLawsError.missingColumn(file: table.source, needed: "task loss", tried: names, available: table.header,
                                                hint: "name it with --loss-col (the metric column \(displayQuoted(metricCol)) is not the task loss)")
        }
        return table.header[i]
    }

    func run() throws {
        try reportingErrors {
            let lawLoss = self.lawLoss ?? preset?.lossLaw ?? "chinchilla"
            let lawMetric = self.lawMetric ?? preset?.metricLaw ?? "sigmoid"
            guard Self.metricLaws.contains(lawMetric) else {
                throw CLIError(message: "--law-metric: expected sigmoid or exp-error, got \"\(lawMetric)\"")
            }
            let lossLaw = try LawCatalog.law(named: lawLoss)
            guard lossLaw.variables.allSatisfy(Variable.standard.contains), !Self.metricLaws.contains(lawLoss) else {
                throw CLIError(message: "--law-loss: the step-1 law maps params, tokens or flops to the task loss; \(lawLoss) reads \(lossLaw.variables.joined(separator: ", "))")
            }
            let (n, d, c) = (targets.params.values, targets.tokens.values, targets.flopTargets.flops.values)
            let count = max(n.count, d.count, c.count)
            guard count > 0 else { throw CLIError(message: "no targets: give --params and --tokens (or --flops) for the models to predict") }
            for (flag, list) in [("--params", n), ("--tokens", d), ("--flops", c)] where list.count > 1 && list.count != count {
                throw CLIError(message: "\(flag) has \(list.count) values but another target list has \(count); give one value or \(count)")
            }
            func pick(_ list: [Double], _ i: Int) -> Double? { list.isEmpty ? nil : list[list.count == 1 ? 0 : i] }
            let targets = (0..<count).map { Run(params: pick(n, $0), tokens: pick(d, $0), flops: pick(c, $0)) }

            let table = try CSVTable(contentsOf: file)
            let taskLossColumn = try Self.taskLossColumn(table, lossCol: lossCol, metricCol: metricCol)
            let metricLaw = try LawCatalog.law(named: lawMetric, x: lossCol ?? SigmoidMetricLaw.defaultX)
            var runs = try RunTable.runs(from: table, variables: lossLaw.variables + [metricCol],
                                         columns: RunTable.Columns(params: columns.paramsCol, tokens: columns.tokensCol, flops: columns.flopsCol, loss: taskLossColumn),
                                         flopsPerParamToken: flopsPerParamToken)
            runs = runs.map { var r = $0; r.values[metricLaw.variables[0]] = r.loss; return r }
            var lossOptions = FitOptions(objective: objective(for: lossLaw, step: 1))
            lossOptions.flopsPerParamToken = flopsPerParamToken
            // Step 2 on its own models when given: only the task loss and the metric are needed.
            var metricRunSet: [Run]? = nil
            if let metricRuns {
                let other = try CSVTable(contentsOf: metricRuns)
                let otherLoss = try Self.taskLossColumn(other, lossCol: lossCol, metricCol: metricCol)
                metricRunSet = try RunTable.runs(from: other, variables: [metricCol], columns: RunTable.Columns(loss: otherLoss),
                                                 flopsPerParamToken: flopsPerParamToken)
            }
            let chain = try TaskForecast(runs: runs, metricRuns: metricRunSet, metric: metricCol, lossLaw: lossLaw, metricLaw: metricLaw,
                                         lossOptions: lossOptions, metricOptions: FitOptions(objective: objective(for: metricLaw, step: 2)),
                                         level: confidence.level)
            try chain.lossFit.validateTargets(targets)
            let predictions = try chain.predict(targets)
            let warnings = TaskReport.warnings(chain, predictions)
            try plot.write {
                // Step 2, the map from task loss to the metric, with the models' points and the law's band.
                try LawPlot(fit: chain.metricFit, uncertainty: chain.metricUncertainty, reach: 1,
                            forecasts: predictions.map { (x: $0.loss, value: $0.metric, interval: $0.newRunInterval) }, yLabel: metricCol)
                    .render(title: "\(metricCol) against task loss (step 2 of the chain)",
                            subtitle: "\(chain.metricFit.law.formula); step 1: \(chain.lossFit.law.formula)")
            }
            switch formatting.format {
            case .json:
                warnings.forEach(warnOnStderr)
                try printJSON(TaskReport(chain: chain, predictions: predictions, metric: metricCol, warnings: warnings))
            case .text: output(TaskReport.text(chain, predictions, metric: metricCol, file: file, metricFile: metricRuns, warnings: warnings))
            }
        }
    }
}

/// `scaling task --format json`: `predictions` (`params`, `tokens`, `flops`, `loss`, `loss_interval`,
/// `metric`, `new_run_interval`, `law_interval`, `outside_metric_fit`, `extrapolation`: the target over the largest
/// fitted value per variable), `metric`, `level`, `loss_fit` and
/// `metric_fit` (`law`, `formula`, `parameters`, `objective`, `runs`), `metric_fit_losses` (the range of
/// task losses step 2 was fitted on) and `warnings`.
struct TaskReport: Encodable {
    struct Step: Encodable {
        var law: String
        var formula: String
        var parameters: [String: Double]
        var objective: String
        var runs: Int
        init(_ f: FitResult) {
            law = f.law.name
            formula = f.law.formula
            parameters = f.parameterValues
            objective = f.objective.definition
            runs = f.runs
        }
    }

    struct Prediction: Encodable {
        var params, tokens, flops: Double?
        var loss: Double
        var lossInterval: Interval
        var metric: Double
        var newRunInterval: Interval
        var lawInterval: Interval
        var outsideMetricFit: Bool
        var extrapolation: ExtrapolationRecord
    }

    var metric: String
    var level: Double
    var lossFit: Step
    var metricFit: Step
    var predictions: [Prediction]
    var metricFitLosses: [Double]
    var warnings: [String]

    /// One warning per target whose task loss lies outside the losses step 2 was fitted on.
    static func warnings(_ chain: TaskForecast, _ p: [TaskPrediction]) -> [String] {
        let range = chain.metricFitLosses
        return p.enumerated().filter(\.element.lossOutsideMetricFit).map { i, q in
            "target \(i + 1): predicted task loss \(String(format: "%.4f", q.loss)) lies \(q.loss < range.lowerBound ? "below" : "above") the task losses step 2 was fitted on (\(String(format: "%.4f", range.lowerBound))–\(String(format: "%.4f", range.upperBound))): the metric is extrapolated; fit step 2 on models that reach this loss (--metric-runs)"
        }
    }

    init(chain: TaskForecast, predictions p: [TaskPrediction], metric: String, warnings: [String]) {
        self.warnings = warnings
        metricFitLosses = [chain.metricFitLosses.lowerBound, chain.metricFitLosses.upperBound]
        self.metric = metric
        level = chain.lossUncertainty.level
        lossFit = Step(chain.lossFit)
        metricFit = Step(chain.metricFit)
        predictions = p.map {
            Prediction(params: $0.target.params, tokens: $0.target.tokens, flops: $0.target.flops, loss: $0.loss,
                       lossInterval: $0.lossInterval, metric: $0.metric, newRunInterval: $0.newRunInterval, lawInterval: $0.lawInterval,
                       outsideMetricFit: $0.lossOutsideMetricFit,
                       extrapolation: ExtrapolationRecord(chain.lossFit.extrapolation(to: $0.target)))
        }
    }

    static func text(_ chain: TaskForecast, _ p: [TaskPrediction], metric: String, file: String, metricFile: String? = nil,
                     warnings: [String] = []) -> String {
        let level = Report.pct(chain.lossUncertainty.level)
        let range = "task losses \(String(format: "%.4f", chain.metricFitLosses.lowerBound))–\(String(format: "%.4f", chain.metricFitLosses.upperBound))"
        let lines = [
            "models     \(chain.lossFit.runs) from \(file) for step 1; \(chain.metricFit.runs) from \(metricFile ?? file) for step 2 (\(range))",
            "step 1     \(chain.lossFit.law.name): \(chain.lossFit.law.formula)",
            "           \(Report.parameterLine(chain.lossFit))",
            "step 2     \(chain.metricFit.law.name): \(chain.metricFit.law.formula)",
            "           \(Report.parameterLine(chain.metricFit))",
            "intervals  \(level) delta method through both steps; new-model interval adds each step's scatter",
        ]
        let rows = p.map { q in
            [Report.count(q.target.params), Report.count(q.target.tokens), Report.flops(q.target.flops),
             String(format: "%.4f", q.loss), Report.interval(q.lossInterval), String(format: "%.4f", q.metric),
             Report.interval(q.newRunInterval), Report.interval(q.lawInterval),
             chain.lossFit.extrapolation(to: q.target).first { $0.variable == Variable.flops }.map { Report.ratio($0.ratio) } ?? "-"]
        }
        return lines.joined(separator: "\n") + "\n\n"
            + Report.table(["params N", "tokens D", "flops C", "task loss", "\(level) interval", metric, "\(level) new-model interval", "law interval", "× flops"], rows)
            + warnings.map { "\nwarning    \($0)" }.joined()
    }
}

/// The two-step procedures of the papers, as law and objective defaults.
enum TaskPreset: String, EnumArgument {
    /// Gadre et al. 2024 (arXiv:2403.08540): L(C, M) = E + (a·M^η + b·M^−η)·C^−η, then
    /// Err(L) = ε − k·exp(−γL), both by least squares on raw values (scipy `curve_fit`).
    case gadre2024
    /// Llama 3 (arXiv:2407.21783, §3.2.1): the normalised NLL of the correct answer against training
    /// FLOPs, then accuracy against that NLL by a sigmoid. The paper gives step 1's form only as a plot,
    /// a straight line in log-log axes: here a power law A·C^−α fitted in log space (mse); step 2 a
    /// sigmoid by least squares on raw accuracy.
    case llama3

    var lossLaw: String { self == .gadre2024 ? "overtrained" : "power" }
    var metricLaw: String { self == .gadre2024 ? "exp-error" : "sigmoid" }
    /// The objective of step 1: least squares on raw losses (Gadre), on ln L (Llama 3's log-log line).
    var lossObjective: Objective { Objective(loss: .mse, space: self == .gadre2024 ? .linear : .log) }
    /// The objective of step 2: least squares on the raw metric.
    var metricObjective: Objective { Objective(loss: .mse, space: .linear) }
}
