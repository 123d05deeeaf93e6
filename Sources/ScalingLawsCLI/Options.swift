import ArgumentParser
import ScalingLaws

enum OutputFormat: String, EnumArgument {
    case text, json
}

/// An option value that is one of an enum's raw strings.
///
/// argument-parser's generic defaults for `allValueStrings` and `allValueDescriptions` go through
/// `"\(value)"` interpolation and dynamic casts: about 60,000 instructions a call, and help and parsing
/// call them some 40 times at every start-up. These give the same values directly (no type here
/// overrides `defaultValueDescription`, so the generic descriptions are empty too).
public protocol EnumArgument: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {}

extension EnumArgument {
    // Public only because the library's public enums conform in this module.
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
    public static var allValueDescriptions: [String: String] { [:] }
    public var defaultValueDescription: String { rawValue }
}

/// `--format text|json` and its shorthand `--json`: one declaration for every command.
struct OutputOptions: ParsableArguments {
    @Option(name: .customLong("format"), help: "Output format: text or json.")
    var chosen: OutputFormat = .text

    @Flag(help: "JSON output (same as --format json).")
    var json = false

    /// The format asked for.
    var format: OutputFormat { json ? .json : chosen }
}

/// `--flops-per-param-token`, k in C = k·N·D: one declaration for every command that derives C or D.
struct FlopsAccountingOptions: ParsableArguments {
    @Option(help: "FLOPs per parameter per token, k in C = k·N·D.")
    var flopsPerParamToken: Double = 6

    func validate() throws {
        guard flopsPerParamToken > 0, flopsPerParamToken.isFinite else {
            throw ValidationError("--flops-per-param-token: expected a positive number, got \(flopsPerParamToken)")
        }
    }
}

/// `--flops`: the compute C of the targets or budgets (predict, task, optimal, isoflop, envelope).
struct FlopsTargetOptions: ParsableArguments {
    @Option(help: "Target training FLOPs C, or the FLOP budgets to plan or extrapolate to (comma-separated; e.g. 5.88e23).",
            transform: Quantities.positive)
    var flops: [Quantities] = []
}

/// `--params`, `--tokens`, `--flops`: the runs a forecast is for (predict, task). Lists are paired element
/// by element; a single value is repeated.
struct TargetOptions: ParsableArguments {
    @Option(help: "Target model sizes N (comma-separated; units like 70B allowed).", transform: Quantities.positive)
    var params: [Quantities] = []
    @Option(help: "Target training tokens D (comma-separated; units like 1.4T allowed).", transform: Quantities.positive)
    var tokens: [Quantities] = []
    @OptionGroup var flopTargets: FlopsTargetOptions
}

/// Which law, which objective, which parameters are held, tied or bounded.
struct LawOptions: ParsableArguments {
    @Option(help: "The law: \(LawCatalog.names.joined(separator: ", ")) (default: chinchilla, or formula with --formula).")
    var law: String?

    @Option(help: ArgumentHelp("Your own law, e.g. 'E + A*N^-alpha + B*D^-beta': CSV columns and N, D, C are variables, other names parameters.",
                               valueName: "expression"))
    var formula: String?

    @Option(help: "Variable x of one-variable laws (\(LawCatalog.names(taking: .x).joined(separator: ", "))): params, tokens, flops or a CSV column name.")
    var x: String?

    @Option(help: "Breaks of the bnsl law (1-3).")
    var breaks: Int?

    @Option(help: "Form of the test-time law: sigmoid or loglinear.")
    var form: String?

    @OptionGroup var constraints: ConstraintOptions
    var fix: [String] { constraints.fix }
    var initial: [String] { constraints.initial }
    var bounds: [String] { constraints.bounds }
    var tie: [String] { constraints.tie }

    @OptionGroup var objective: ObjectiveOptions

    @OptionGroup var accounting: FlopsAccountingOptions
    var flopsPerParamToken: Double { accounting.flopsPerParamToken }

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
        let name = law ?? "chinchilla"
        if name == "formula" { throw CLIError(message: "--law formula needs --formula 'expression'") }
        // The descriptor checks which of --x, --breaks and --form the law takes.
        let made = try LawCatalog.law(named: name, configuration: configuration)
        if made is any ScheduleAwareLaw {
            throw CLIError(message: "--law \(name) is a law of whole loss curves under learning-rate schedules: use scaling curve FILE --law \(name) --run RUN, or scaling schedule FILE --law \(name) --candidates FILE")
        }
        return made
    }

    /// --x, --breaks and --form as a law configuration (``ScalingLaw/configuration`` keys).
    var configuration: [String: String] {
        var configuration = [String: String]()
        if let x { configuration["x"] = x }
        if let breaks { configuration["breaks"] = String(breaks) }
        if let form { configuration["form"] = form }
        return configuration
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

    /// Options for fitting `law` (its default objective applies where --objective or --space is not given).
    func fitOptions(for law: (any ScalingLaw)?) throws -> FitOptions {
        var options = FitOptions(objective: objective.objective(default: law?.defaultObjective ?? Objective()))
        options.constraints = ParameterConstraints(fixed: try fixedValues(), ties: try tieValues(), bounds: try boundValues(),
                                                   initial: try numbers(initial, flag: "--init"))
        options.flopsPerParamToken = flopsPerParamToken
        options.polishedStarts = starts
        return options
    }

    func validate() throws {
        guard starts >= 1 else {
            throw ValidationError("--starts: expected at least 1, got \(starts)")
        }
    }
}

/// `--fix`, `--init`, `--bounds`, `--tie`: what is held, where the search starts, what is bounded or tied.
/// One group for every command that fits a law (`curve` and `schedule` too, for schedule-aware laws).
struct ConstraintOptions: ParsableArguments {
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

    /// Whether any of the four was given.
    var isGiven: Bool { !fix.isEmpty || !initial.isEmpty || !bounds.isEmpty || !tie.isEmpty }
}

extension Objective.Loss: EnumArgument {}
extension CheckpointUse: EnumArgument {}
extension Objective.Space: EnumArgument {}

/// The objective of a fit: `--objective` (the per-residual loss), `--space`, `--delta`, `--tau`. The same
/// group in every command that fits, so that each flag means one thing everywhere.
struct ObjectiveOptions: ParsableArguments {
    @Option(help: "Per-residual loss of the objective: mse, huber, soft-l1, cauchy, asymmetric (default: huber, or the law's own).")
    var objective: Objective.Loss?

    /// `--loss`, the former name of `--objective` (now `--loss-col` and `--law-loss` keep "loss" for the
    /// measured loss): still read, with a warning.
    @Option(name: .customLong("loss"), help: .hidden)
    var deprecatedLoss: Objective.Loss?

    @Option(help: "Scale δ of the robust loss (default: 0.001).")
    var delta: Double?

    @Option(help: "Expectile τ of the asymmetric loss, τ < 0.5 follows the lower envelope (default: 0.1).")
    var tau: Double?

    @Option(help: "Residual space: log (ln y − ln ŷ) or linear (y − ŷ) (default: log, or the law's own).")
    var space: Objective.Space?

    /// The per-residual loss given by either spelling.
    var loss: Objective.Loss? { objective ?? deprecatedLoss }

    /// Whether any option of the group was given.
    var isGiven: Bool { loss != nil || delta != nil || tau != nil || space != nil }

    func validate() throws {
        if deprecatedLoss != nil {
            guard objective == nil else { throw ValidationError("--loss is the former name of --objective: give --objective only") }
            warnDeprecated("--loss", use: "--objective")
        }
    }

    /// `fallback` with the options given applied.
    func objective(default fallback: Objective) -> Objective {
        var o = fallback
        if let loss { o.loss = loss }
        if let space { o.space = space }
        if let delta { o.delta = delta }
        if let tau { o.tau = tau }
        return o
    }
}

/// What a command reads from its CSV, and so which column flags of ``ColumnOptions`` apply to it.
protocol ColumnReader {
    /// The column flags that apply; the others are hidden from help and refused.
    static var flags: Set<String> { get }
    /// What the command reads, for the refusal.
    static var reads: String { get }
}

extension ColumnReader {
    /// `text`, hidden from help when `flag` does not apply.
    static func help(_ flag: String, _ text: String, valueName: String? = nil) -> ArgumentHelp {
        ArgumentHelp(text, valueName: valueName, visibility: flags.contains(flag) ? .default : .hidden)
    }
}

/// A table of runs, one per row (or a long-format log read as one): fit, predict, optimal, backtest,
/// compare, design, isoflop.
enum RunColumns: ColumnReader {
    static let flags: Set<String> = ["--params-col", "--tokens-col", "--flops-col", "--loss-col", "--group-col", "--run-col", "--use"]
    static let reads = "this command reads one run per row (params, tokens, flops, loss, group, run columns)"
}

/// Learning curves: run, tokens seen (or step), loss, params; with a schedule-aware law, run, step, lr, loss.
enum CurveColumns: ColumnReader {
    static let flags: Set<String> = ["--run-col", "--params-col", "--tokens-col", "--step-col", "--lr-col", "--loss-col", "--tokens-per-step"]
    static let reads = "this command reads learning curves (run, params, tokens or step, lr, loss columns)"
}

/// Token-count learning curves for the minimum-loss envelope.
enum EnvelopeColumns: ColumnReader {
    static let flags: Set<String> = ["--run-col", "--params-col", "--tokens-col", "--step-col", "--loss-col", "--tokens-per-step"]
    static let reads = "envelope reads learning curves (run, params, tokens or step, loss columns)"
}

/// Logged runs under learning-rate schedules.
enum ScheduleColumns: ColumnReader {
    static let flags: Set<String> = ["--run-col", "--step-col", "--lr-col", "--loss-col"]
    static let reads = "schedule reads run, step, lr and loss columns"
}

/// One model per row with its task loss (and the metric, named by --metric-col).
enum TaskColumns: ColumnReader {
    static let flags: Set<String> = ["--params-col", "--tokens-col", "--flops-col", "--loss-col"]
    static let reads = "task reads params, tokens, flops and task-loss columns (and --metric-col)"
}

/// Column-name overrides: the one declaration of every column flag. A command names what it reads
/// (`Reader`); the flags it does not read are hidden from its help and refused.
struct ColumnOptions<Reader: ColumnReader>: ParsableArguments {
    @Option(help: Reader.help("--params-col", "Column holding model parameters N (default: params, N, n_params, parameters, model_size)."))
    var paramsCol: String?
    @Option(help: Reader.help("--tokens-col", "Column holding training tokens D, or the tokens seen of a learning curve (default: tokens, D, data, train_tokens, tokens_seen)."))
    var tokensCol: String?
    @Option(help: Reader.help("--flops-col", "Column holding training FLOPs C (default: flops, C, compute)."))
    var flopsCol: String?
    @Option(help: Reader.help("--loss-col", "Column holding the loss (default: loss, val_loss, eval_loss, train_loss; for task, the task loss)."))
    var lossCol: String?
    @Option(help: Reader.help("--group-col", "Column of group labels: rows with one label are resampled together (default: group, run, run_id)."))
    var groupCol: String?
    @Option(help: Reader.help("--run-col", "Column of run identifiers in a long-format log (default: run, run_id, name, id, model)."))
    var runCol: String?
    @Option(help: Reader.help("--step-col", "Column holding the optimizer step (default: step, steps, iteration, iter)."))
    var stepCol: String?
    @Option(help: Reader.help("--lr-col", "Column holding the learning rate, for schedule-aware laws (default: lr, learning_rate)."))
    var lrCol: String?
    @Option(help: Reader.help("--tokens-per-step", "Tokens per optimizer step: read the step column as tokens seen (units allowed, e.g. 4M)."))
    var tokensPerStep: String?
    @Option(help: Reader.help("--use", "Read a long-format log (one row per logged point of a run): final (the last point of each run) or checkpoints (every point, each run's checkpoints weighted to sum to 1). Without it a file is long-format only when run labels repeat and it has a step or tokens_seen column.",
                              valueName: "final|checkpoints"))
    var use: CheckpointUse?

    /// Refuses a column flag the command does not read.
    func validate() throws {
        let given: [(String, Bool)] = [("--params-col", paramsCol != nil), ("--tokens-col", tokensCol != nil), ("--flops-col", flopsCol != nil),
                                       ("--loss-col", lossCol != nil), ("--group-col", groupCol != nil), ("--run-col", runCol != nil),
                                       ("--step-col", stepCol != nil), ("--lr-col", lrCol != nil), ("--tokens-per-step", tokensPerStep != nil),
                                       ("--use", use != nil)]
        if let (flag, _) = given.first(where: { $0.1 && !Reader.flags.contains($0.0) }) {
            throw ValidationError("\(flag) does not apply: \(Reader.reads)")
        }
    }

    /// The columns of a learning-curve log.
    var curveColumns: CurveTable.Columns {
        CurveTable.Columns(run: runCol, params: paramsCol, tokens: tokensCol, step: stepCol, loss: lossCol)
    }

    /// The columns of a log of runs under learning-rate schedules.
    var scheduleColumns: ScheduleTable.Columns {
        ScheduleTable.Columns(run: runCol, step: stepCol, lr: lrCol, loss: lossCol)
    }

    /// `--tokens-per-step` as a number.
    func tokensPerStepValue() throws -> Double? {
        try tokensPerStep.map { try quantity($0, flag: "--tokens-per-step") }
    }

    var columns: RunTable.Columns {
        RunTable.Columns(params: paramsCol, tokens: tokensCol, flops: flopsCol, loss: lossCol, group: groupCol)
    }

    /// The runs of `file`: one per row, or for a long-format log (or with --use) per ``CheckpointUse``,
    /// read as a stream (``RunFile``).
    func runs(from file: RunFile, variables: [String], flopsPerParamToken k: Double) throws -> [Run] {
        try store(from: file, variables: variables, flopsPerParamToken: k).runs
    }

    /// The runs of `file` as ``runs(from:variables:flopsPerParamToken:)`` reads them, stored by column (a
    /// checkpoint fit of a long log never holds a `Run` per point).
    func store(from file: RunFile, variables: [String], flopsPerParamToken k: Double) throws -> RunStore {
        let choice = use
        let read = try file.runs(variables: variables, columns: columns, runColumn: runCol, use: choice,
                                 flopsPerParamToken: k) { repeated in
            printNote("\(file.source): \(displayQuoted(repeated.label)) repeats in column \(displayQuoted(repeated.column)) (lines \(repeated.lines.0) and \(repeated.lines.1)) but there is no step or tokens_seen column: each row is read as one run; give --use final to fit the last point of each run of a long-format log")
        }
        if let used = read.longFormat {
            // Say what was left out: a long-format log fits fewer runs than it has rows.
            let dropped = read.rows - read.store.count
            if dropped > 0 {
                let how = used == .final ? "the last point of each of \(read.store.count) runs" : "\(read.store.count) checkpoints"
                printNote("\(file.source): long-format log: fitting \(how); \(dropped) of \(read.rows) rows not fitted (earlier points, or at step 0)\(used == .final ? "; --use checkpoints fits every point" : "")")
            }
        }
        return read.store
    }
}

/// Where a fitted law comes from: a CSV to fit, a saved fit, or parameters given with --fix.
struct SourceOptions: ParsableArguments {
    @Argument(help: "CSV file of runs to fit (omit with --fit, or when --fix gives every parameter).")
    var file: String?

    @Option(help: "Use a fit saved with `scaling fit --save` instead of fitting.")
    var fit: String?

    @OptionGroup var law: LawOptions
    @OptionGroup var columns: ColumnOptions<RunColumns>

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
                                             ("--objective", law.objective.loss != nil), ("--space", law.objective.space != nil),
                                             ("--delta", law.objective.delta != nil), ("--tau", law.objective.tau != nil)]
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
        let runs = try columns.store(from: table, variables: lawValue.variables, flopsPerParamToken: options.flopsPerParamToken)
        return try lawValue.fit(runs, options: options)
    }
}

extension ColumnOptions where Reader == RunColumns {
    /// Reads the runs of `file` with the columns `law` needs.
    func loadRuns(_ file: String, law: any ScalingLaw, flopsPerParamToken: Double) throws -> [Run] {
        let table = try RunFile(contentsOf: file)
        return try runs(from: table, variables: law.variables, flopsPerParamToken: flopsPerParamToken)
    }
}
