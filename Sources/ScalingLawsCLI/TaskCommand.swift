import ArgumentParser
import ScalingLaws

struct Task: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict a downstream metric in two steps: (N, D) or C → task loss → accuracy (Llama 3; Bhagia et al. 2024).",
        discussion: """
            One row per model: params, tokens (or flops), the task loss (or bits-per-byte, --loss-col)
            and the metric (--metric-col). Step 1 fits --law-loss to the task loss; step 2 fits
            --law-metric (sigmoid: y = a/(1 + exp(-k*(L - L0))) + b, b the chance floor; or exp-error:
            err = epsilon - k*exp(-gamma*L) for an error column) to the metric against the observed task
            loss. Predictions chain the two. `interval` covers one new model's metric (both steps'
            parameter uncertainty and scatter, delta method); `law_interval` is the parameter part.
            Examples:
              scaling task Examples/data/task_synthetic.csv --loss-col task_loss --metric-col accuracy --params 7e9 --tokens 1.4e11
              scaling task Examples/data/task_synthetic.csv --loss-col task_loss --metric-col accuracy --law-loss overtrained --params 1B,7B --tokens 1T,2T --format json
            """
    )

    @Argument(help: "CSV with one row per model: params, tokens (or flops), task loss, metric.")
    var file: String

    @Option(help: "Column holding the metric to predict (accuracy, or an error rate for exp-error).")
    var metricCol: String

    @Option(help: "Column holding the task loss or bits-per-byte (default: loss, val_loss, …).")
    var lossCol: String?
    @Option(help: "Column holding model parameters N.")
    var paramsCol: String?
    @Option(help: "Column holding training tokens D.")
    var tokensCol: String?
    @Option(help: "Column holding training FLOPs C.")
    var flopsCol: String?

    @Option(help: "Step 1, (N, D) or C → task loss: chinchilla, overtrained, saturating (on flops), …")
    var lawLoss: String = "chinchilla"

    @Option(help: "Step 2, task loss → metric: sigmoid or exp-error.")
    var lawMetric: String = "sigmoid"

    @Option(help: "Target model sizes N (comma-separated).")
    var params: [String] = []
    @Option(help: "Target training tokens D (comma-separated).")
    var tokens: [String] = []
    @Option(help: "Target training FLOPs C (comma-separated).")
    var flops: [String] = []

    @Option(help: "FLOPs per parameter per token, k in C = k·N·D.")
    var flopsPerParamToken: Double = 6

    @Option(help: "Confidence level of every interval.")
    var level: Double = 0.95

    @OptionGroup var plot: PlotOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    static let metricLaws = ["sigmoid", "exp-error"]

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
            try plot.check()
            try Limits.checkLevel(level)
            guard Self.metricLaws.contains(lawMetric) else {
                throw CLIError(message: "--law-metric: expected sigmoid or exp-error, got \"\(lawMetric)\"")
            }
            let lossLaw = try LawCatalog.law(named: lawLoss)
            guard lossLaw.variables.allSatisfy(Variable.standard.contains), !Self.metricLaws.contains(lawLoss) else {
                throw CLIError(message: "--law-loss: the step-1 law maps params, tokens or flops to the task loss; \(lawLoss) reads \(lossLaw.variables.joined(separator: ", "))")
            }
            let n = try quantities(params, flag: "--params")
            let d = try quantities(tokens, flag: "--tokens")
            let c = try quantities(flops, flag: "--flops")
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
                                         columns: RunTable.Columns(params: paramsCol, tokens: tokensCol, flops: flopsCol, loss: taskLossColumn),
                                         flopsPerParamToken: flopsPerParamToken)
            runs = runs.map { var r = $0; r.values[metricLaw.variables[0]] = r.loss; return r }
            var lossOptions = FitOptions(objective: lossLaw.defaultObjective ?? Objective())
            lossOptions.flopsPerParamToken = flopsPerParamToken
            let chain = try TaskForecast(runs: runs, metric: metricCol, lossLaw: lossLaw, metricLaw: metricLaw,
                                         lossOptions: lossOptions, level: level)
            let predictions = try chain.predict(targets)
            try plot.write {
                // Step 2, the map from task loss to the metric, with the models' points and the law's band.
                try LawPlot(fit: chain.metricFit, uncertainty: chain.metricUncertainty, reach: 1,
                            forecasts: predictions.map { (x: $0.loss, value: $0.metric, interval: $0.interval) })
                    .render(title: "\(metricCol) against task loss (step 2 of the chain)",
                            subtitle: "\(chain.metricFit.law.formula); step 1: \(chain.lossFit.law.formula)")
            }
            switch format {
            case .json: try printJSON(TaskReport(chain: chain, predictions: predictions, metric: metricCol))
            case .text: print(TaskReport.text(chain, predictions, metric: metricCol, file: file))
            }
        }
    }
}

/// `scaling task --format json`: `predictions` (`params`, `tokens`, `flops`, `loss`, `loss_interval`,
/// `metric`, `interval`, `law_interval`), `metric`, `level`, `loss_fit` and `metric_fit` (`law`,
/// `formula`, `parameters`, `objective`, `runs`).
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
        var interval: Interval
        var lawInterval: Interval
        enum CodingKeys: String, CodingKey {
            case params, tokens, flops, loss, metric, interval
            case lossInterval = "loss_interval", lawInterval = "law_interval"
        }
    }

    var metric: String
    var level: Double
    var lossFit: Step
    var metricFit: Step
    var predictions: [Prediction]

    enum CodingKeys: String, CodingKey {
        case metric, level, predictions
        case lossFit = "loss_fit", metricFit = "metric_fit"
    }

    init(chain: TaskForecast, predictions p: [TaskPrediction], metric: String) {
        self.metric = metric
        level = chain.lossUncertainty.level
        lossFit = Step(chain.lossFit)
        metricFit = Step(chain.metricFit)
        predictions = p.map {
            Prediction(params: $0.target.params, tokens: $0.target.tokens, flops: $0.target.flops, loss: $0.loss,
                       lossInterval: $0.lossInterval, metric: $0.metric, interval: $0.interval, lawInterval: $0.lawInterval)
        }
    }

    static func text(_ chain: TaskForecast, _ p: [TaskPrediction], metric: String, file: String) -> String {
        let level = Report.pct(chain.lossUncertainty.level)
        let lines = [
            "models     \(chain.lossFit.runs) from \(file)",
            "step 1     \(chain.lossFit.law.name): \(chain.lossFit.law.formula)",
            "           \(Report.parameterLine(chain.lossFit))",
            "step 2     \(chain.metricFit.law.name): \(chain.metricFit.law.formula)",
            "           \(Report.parameterLine(chain.metricFit))",
            "intervals  \(level) delta method through both steps; new-model interval adds each step's scatter",
        ]
        let rows = p.map { q in
            [Report.count(q.target.params), Report.count(q.target.tokens), Report.flops(q.target.flops),
             String(format: "%.4f", q.loss), Report.interval(q.lossInterval), String(format: "%.4f", q.metric),
             Report.interval(q.interval), Report.interval(q.lawInterval)]
        }
        return lines.joined(separator: "\n") + "\n\n"
            + Report.table(["params N", "tokens D", "flops C", "task loss", "\(level) interval", metric, "\(level) new-model interval", "law interval"], rows)
    }
}
