import ArgumentParser
import ScalingLaws

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Which law, which objective, which parameters are held.
struct LawOptions: ParsableArguments {
    @Option(help: "The law: \(LawCatalog.names.joined(separator: ", ")).")
    var law: String = "chinchilla"

    @Option(help: "Variable x of one-variable laws (power, saturating): params, tokens, flops or a CSV column name.")
    var x: String?

    @Option(name: .customLong("fix"), help: ArgumentHelp(
        "Hold parameters at values: name=value[,name=value…]; repeatable.",
        valueName: "name=value"))
    var fix: [String] = []

    @Option(help: "Per-residual loss: mse, huber, soft-l1, cauchy, asymmetric.")
    var loss: String = "huber"

    @Option(help: "Scale δ of the robust loss.")
    var delta: Double = 1e-3

    @Option(help: "Expectile τ of the asymmetric loss (τ < 0.5 follows the lower envelope).")
    var tau: Double = 0.1

    @Option(help: "Residual space: log (ln y − ln ŷ) or linear (y − ŷ).")
    var space: String = "log"

    @Option(help: "FLOPs per parameter per token, k in C = k·N·D.")
    var flopsPerParamToken: Double = 6

    @Option(help: "How many of the best start-search candidates to polish.")
    var starts: Int = 8

    func makeLaw() throws -> any ScalingLaw {
        try LawCatalog.law(named: law, x: x)
    }

    func fixedValues() throws -> [String: Double] {
        var values = [String: Double]()
        for item in fix.flatMap({ $0.split(separator: ",") }) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw CLIError(message: "--fix: expected name=value (e.g. E=1.69), got \"\(item)\"")
            }
            guard let v = parseQuantity(parts[1]) else {
                throw CLIError(message: "--fix: \(parts[0]) needs a number, got \"\(parts[1])\"")
            }
            values[parts[0]] = v
        }
        return values
    }

    func fitOptions() throws -> FitOptions {
        guard let lossKind = Objective.Loss(rawValue: loss) else {
            throw CLIError(message: "--loss: expected one of \(Objective.Loss.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(loss)\"")
        }
        guard let spaceKind = Objective.Space(rawValue: space) else {
            throw CLIError(message: "--space: expected log or linear, got \"\(space)\"")
        }
        guard flopsPerParamToken > 0, flopsPerParamToken.isFinite else {
            throw CLIError(message: "--flops-per-param-token: expected a positive number, got \(flopsPerParamToken)")
        }
        guard starts >= 1 else {
            throw CLIError(message: "--starts: expected at least 1, got \(starts)")
        }
        var options = FitOptions(objective: Objective(loss: lossKind, delta: delta, space: spaceKind, tau: tau), fixed: try fixedValues())
        options.flopsPerParamToken = flopsPerParamToken
        options.polishedStarts = starts
        return options
    }
}

/// Column-name overrides.
struct ColumnOptions: ParsableArguments {
    @Option(help: "Column holding model parameters N (default: params, N, n_params, parameters, model_size).")
    var paramsCol: String?
    @Option(help: "Column holding training tokens D (default: tokens, D, data, train_tokens).")
    var tokensCol: String?
    @Option(help: "Column holding training FLOPs C (default: flops, C, compute).")
    var flopsCol: String?
    @Option(help: "Column holding the loss (default: loss, val_loss, eval_loss, train_loss).")
    var lossCol: String?
    @Option(help: "Column of group labels: rows with one label are resampled together (default: group, run, run_id).")
    var groupCol: String?

    var columns: RunTable.Columns {
        RunTable.Columns(params: paramsCol, tokens: tokensCol, flops: flopsCol, loss: lossCol, group: groupCol)
    }
}

/// Where a fitted law comes from: a CSV to fit, a saved fit, or parameters given with --fix.
struct SourceOptions: ParsableArguments {
    @Argument(help: "CSV file of runs to fit (omit with --fit, or when --fix gives every parameter).")
    var file: String?

    @Option(help: "Use a fit saved with `scaling fit --save` instead of fitting.")
    var fit: String?

    @OptionGroup var law: LawOptions
    @OptionGroup var columns: ColumnOptions

    /// Where the fit came from, for reports.
    var origin: String? {
        if let file { return "from \(file)" }
        if let fit { return "(fit loaded from \(fit))" }
        return nil
    }

    /// Fits, loads or assembles the law.
    func fittedLaw() throws -> FitResult {
        if let path = fit {
            guard file == nil else { throw CLIError(message: "give either a CSV file to fit or --fit FILE, not both") }
            return try FitResult(contentsOf: path)
        }
        let lawValue = try law.makeLaw()
        let options = try law.fitOptions()
        guard let file else {
            if options.fixed.isEmpty {
                throw CLIError(message: "no data: give a CSV file of runs, --fit FILE, or every parameter of the \(lawValue.name) law with --fix")
            }
            return try FitResult(law: lawValue, parameters: options.fixed, flopsPerParamToken: options.flopsPerParamToken,
                                 objective: options.objective)
        }
        let runs = try columns.loadRuns(file, law: lawValue, flopsPerParamToken: options.flopsPerParamToken)
        return try lawValue.fit(runs, options: options)
    }
}

extension ColumnOptions {
    /// Reads the runs of `file` with the columns `law` needs.
    func loadRuns(_ file: String, law: any ScalingLaw, flopsPerParamToken: Double) throws -> [Run] {
        let table = try CSVTable(contentsOf: file)
        return try RunTable.runs(from: table, variables: law.variables, columns: columns, flopsPerParamToken: flopsPerParamToken)
    }
}
