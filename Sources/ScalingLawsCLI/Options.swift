import ArgumentParser
import ScalingLaws

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// Which law, which objective, which parameters are held, tied or bounded.
struct LawOptions: ParsableArguments {
    @Option(help: "The law: \(LawCatalog.names.joined(separator: ", ")) (default: chinchilla, or formula with --formula).")
    var law: String?

    @Option(help: ArgumentHelp("Your own law, e.g. 'E + A*N^-alpha + B*D^-beta': CSV columns and N, D, C are variables, other names parameters.",
                               valueName: "expression"))
    var formula: String?

    @Option(help: "Variable x of one-variable laws (power, saturating, bnsl, test-time, sigmoid, exp-error, capability): params, tokens, flops or a CSV column name.")
    var x: String?

    @Option(help: "Breaks of the bnsl law (1-3).")
    var breaks: Int?

    @Option(help: "Form of the test-time law: sigmoid or loglinear.")
    var form: String?

    @Option(name: .customLong("fix"), help: ArgumentHelp(
        "Hold parameters at values: name=value[,name=value…]; repeatable.",
        valueName: "name=value"))
    var fix: [String] = []

    @Option(name: .customLong("init"), help: ArgumentHelp(
        "Start the search from these values: name=value[,…]; repeatable.", valueName: "name=value"))
    var initial: [String] = []

    @Option(help: ArgumentHelp("Keep parameters within bounds: name=lo:hi (either side may be empty); repeatable.",
                               valueName: "name=lo:hi"))
    var bounds: [String] = []

    @Option(help: ArgumentHelp("Tie parameters equal: a=b makes b follow a (e.g. alpha=beta); repeatable.", valueName: "a=b"))
    var tie: [String] = []

    @Option(help: "Per-residual loss: mse, huber, soft-l1, cauchy, asymmetric (default: huber, or the law's own).")
    var loss: String?

    @Option(help: "Scale δ of the robust loss.")
    var delta: Double = 1e-3

    @Option(help: "Expectile τ of the asymmetric loss (τ < 0.5 follows the lower envelope).")
    var tau: Double = 0.1

    @Option(help: "Residual space: log (ln y − ln ŷ) or linear (y − ŷ) (default: log, or the law's own).")
    var space: String?

    @Option(help: "FLOPs per parameter per token, k in C = k·N·D.")
    var flopsPerParamToken: Double = 6

    @Option(help: "How many of the best start-search candidates to polish.")
    var starts: Int = 8

    /// Checks the law and objective options before any file is read.
    func check() throws {
        if let formula {
            try FormulaLaw.checkSyntax(formula)
            if let law, law != "formula" { throw CLIError(message: "--formula defines the law: drop --law \(law)") }
            _ = try fitOptions(for: nil)
        } else {
            _ = try fitOptions(for: try makeLaw())
        }
    }

    /// The law; `columns` are the CSV header names a formula may use as variables.
    func makeLaw(columns: [String] = []) throws -> any ScalingLaw {
        if let formula {
            if let law, law != "formula" {
                throw CLIError(message: "--formula defines the law: drop --law \(law)")
            }
            for (flag, given) in [("--x", x != nil), ("--breaks", breaks != nil), ("--form", form != nil)] where given {
                throw CLIError(message: "\(flag) configures a catalogue law; --formula names its variables itself: drop \(flag)")
            }
            return try FormulaLaw(formula, columns: columns, bounds: try boundValues())
        }
        var configuration = [String: String]()
        if let x { configuration["x"] = x }
        if let breaks { configuration["breaks"] = String(breaks) }
        if let form { configuration["form"] = form }
        let name = law ?? "chinchilla"
        if breaks != nil && name != "bnsl" { throw CLIError(message: "--breaks applies to the bnsl law only") }
        if form != nil && name != "test-time" { throw CLIError(message: "--form applies to the test-time law only") }
        if name == "formula" { throw CLIError(message: "--law formula needs --formula 'expression'") }
        let made = try LawCatalog.law(named: name, configuration: configuration)
        if made is any ScheduleAwareLaw {
            throw CLIError(message: "--law \(name) is a law of whole loss curves under learning-rate schedules: use scaling curve FILE --law \(name) --run RUN, or scaling schedule FILE --law \(name) --candidates FILE")
        }
        return made
    }

    /// `name=value` pairs from repeatable, comma-separated options.
    static func assignments(_ items: [String], flag: String, example: String) throws -> [(String, String)] {
        try items.flatMap { $0.split(separator: ",") }.map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CLIError(message: "\(flag): expected \(example), got \"\(item)\"")
            }
            return (parts[0], parts[1])
        }
    }

    func fixedValues() throws -> [String: Double] {
        try numbers(fix, flag: "--fix")
    }

    private func numbers(_ items: [String], flag: String) throws -> [String: Double] {
        var values = [String: Double]()
        for (name, text) in try Self.assignments(items, flag: flag, example: "name=value (e.g. E=1.69)") {
            guard let v = parseQuantity(text) ?? Double(text), v.isFinite else {
                throw CLIError(message: "\(flag): \(name) needs a finite number, got \"\(text)\"")
            }
            if let previous = values[name], previous != v {
                throw CLIError(message: "\(flag): \(name) is given twice (\(previous) and \(text)); give it once")
            }
            values[name] = v
        }
        return values
    }

    func boundValues() throws -> [String: ClosedBounds] {
        var out = [String: ClosedBounds]()
        for (name, text) in try Self.assignments(bounds, flag: "--bounds", example: "name=lo:hi (e.g. alpha=0:2)") {
            out[name] = try ClosedBounds(parsing: text, name: name)
        }
        return out
    }

    func tieValues() throws -> [String: String] {
        var out = [String: String]()
        for item in tie {
            let (leader, follower) = try ParameterConstraints.parseTie(item)
            out[follower] = leader
        }
        return out
    }

    func fitOptions() throws -> FitOptions {
        try fitOptions(for: nil)
    }

    /// Options for fitting `law` (its default objective applies where --loss or --space is not given).
    func fitOptions(for law: (any ScalingLaw)?) throws -> FitOptions {
        let fallback = law?.defaultObjective ?? Objective()
        let lossKind: Objective.Loss
        if let loss {
            guard let kind = Objective.Loss(rawValue: loss) else {
                throw CLIError(message: "--loss: expected one of \(Objective.Loss.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(loss)\"")
            }
            lossKind = kind
        } else {
            lossKind = fallback.loss
        }
        let spaceKind: Objective.Space
        if let space {
            guard let kind = Objective.Space(rawValue: space) else {
                throw CLIError(message: "--space: expected log or linear, got \"\(space)\"")
            }
            spaceKind = kind
        } else {
            spaceKind = fallback.space
        }
        guard flopsPerParamToken > 0, flopsPerParamToken.isFinite else {
            throw CLIError(message: "--flops-per-param-token: expected a positive number, got \(flopsPerParamToken)")
        }
        guard starts >= 1 else {
            throw CLIError(message: "--starts: expected at least 1, got \(starts)")
        }
        var options = FitOptions(objective: Objective(loss: lossKind, delta: delta, space: spaceKind, tau: tau))
        options.constraints = ParameterConstraints(fixed: try fixedValues(), ties: try tieValues(), bounds: try boundValues(),
                                                   initial: try numbers(initial, flag: "--init"))
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
    @Option(help: "Column of run identifiers in a long-format log (default: run, run_id, name).")
    var runCol: String?
    @Option(help: ArgumentHelp("Read a long-format log (one row per logged point of a run): final (the last point of each run) or checkpoints (every point, each run's checkpoints weighted to sum to 1). Without it a file is long-format only when run labels repeat and it has a step or tokens_seen column.",
                               valueName: "final|checkpoints"))
    var use: String?

    var columns: RunTable.Columns {
        RunTable.Columns(params: paramsCol, tokens: tokensCol, flops: flopsCol, loss: lossCol, group: groupCol)
    }

    /// The runs of `file`: one per row, or for a long-format log (or with --use) per ``CheckpointUse``,
    /// read as a stream (``RunFile``).
    func runs(from file: RunFile, variables: [String], flopsPerParamToken k: Double) throws -> [Run] {
        var choice: CheckpointUse? = nil
        if let use {
            guard let value = CheckpointUse(rawValue: use) else {
                throw CLIError(message: "--use: expected final or checkpoints, got \"\(use)\"")
            }
            choice = value
        }
        let read = try file.runs(variables: variables, columns: columns, runColumn: runCol, use: choice,
                                 flopsPerParamToken: k) { repeated in
            printNote("\(file.source): \(displayQuoted(repeated.label)) repeats in column \(displayQuoted(repeated.column)) (lines \(repeated.lines.0) and \(repeated.lines.1)) but there is no step or tokens_seen column: each row is read as one run; give --use final to fit the last point of each run of a long-format log")
        }
        if let used = read.longFormat {
            // Say what was left out: a long-format log fits fewer runs than it has rows.
            let dropped = read.rows - read.runs.count
            if dropped > 0 {
                let how = used == .final ? "the last point of each of \(read.runs.count) runs" : "\(read.runs.count) checkpoints"
                printNote("\(file.source): long-format log: fitting \(how); \(dropped) of \(read.rows) rows not fitted (earlier points, or at step 0)\(used == .final ? "; --use checkpoints fits every point" : "")")
            }
        }
        return read.runs
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
            // The saved fit fixes the law, its parameters and objective: options that would change them
            // cannot apply, so they are refused rather than ignored.
            let ignored: [(String, Bool)] = [("--law", law.law != nil), ("--formula", law.formula != nil), ("--x", law.x != nil),
                                             ("--breaks", law.breaks != nil), ("--form", law.form != nil), ("--fix", !law.fix.isEmpty),
                                             ("--init", !law.initial.isEmpty), ("--bounds", !law.bounds.isEmpty), ("--tie", !law.tie.isEmpty),
                                             ("--loss", law.loss != nil), ("--space", law.space != nil)]
            if let (flag, _) = ignored.first(where: { $0.1 }) {
                throw CLIError(message: "\(flag): the law comes from the saved fit \(path); drop \(flag), or fit the CSV file again with it")
            }
            return try FitResult(contentsOf: path)
        }
        guard let file else {
            let lawValue = try law.makeLaw()
            let options = try law.fitOptions(for: lawValue)
            if options.fixed.isEmpty {
                throw CLIError(message: "no data: give a CSV file of runs, --fit FILE, or every parameter of the \(lawValue.name) law with --fix")
            }
            return try FitResult(law: lawValue, parameters: options.fixed, flopsPerParamToken: options.flopsPerParamToken,
                                 objective: options.objective)
        }
        try law.check()
        let table = try RunFile(contentsOf: file)
        let lawValue = try law.makeLaw(columns: table.header)
        let options = try law.fitOptions(for: lawValue)
        let runs = try columns.runs(from: table, variables: lawValue.variables, flopsPerParamToken: options.flopsPerParamToken)
        return try lawValue.fit(runs, options: options)
    }
}

extension ColumnOptions {
    /// Reads the runs of `file` with the columns `law` needs.
    func loadRuns(_ file: String, law: any ScalingLaw, flopsPerParamToken: Double) throws -> [Run] {
        let table = try RunFile(contentsOf: file)
        return try runs(from: table, variables: law.variables, flopsPerParamToken: flopsPerParamToken)
    }
}
