import ArgumentParser
import Foundation
import ScalingLaws

/// The schedule-aware law named on the command line.
func scheduleAwareLaw(_ name: String) throws -> any ScheduleAwareLaw {
    let law = try LawCatalog.law(named: name)
    guard let aware = law as? any ScheduleAwareLaw else {
        throw CLIError(message: "--law: \(name) is not a law of a loss curve under a learning-rate schedule; use multi-power or momentum")
    }
    return aware
}

/// `--fix`, `--init`, `--bounds`, `--tie` as parameter constraints, checked against the law.
func scheduleConstraints(law: any ScalingLaw, _ given: ConstraintOptions) throws -> ParameterConstraints {
    let (fix, initial, bounds, tie) = (given.fix, given.initial, given.bounds, given.tie)
    func numbers(_ items: [String], _ flag: String) throws -> [String: Double] {
        var out = [String: Double]()
        for (name, text) in try LawOptions.assignments(items, flag: flag, example: "name=value (e.g. L0=3.04)") {
            guard let v = Double(text) ?? parseQuantity(text), v.isFinite else { throw CLIError(message: "\(flag): \(name) needs a number, got \"\(text)\"") }
            out[name] = v
        }
        return out
    }
    var c = ParameterConstraints(fixed: try numbers(fix, "--fix"), initial: try numbers(initial, "--init"))
    for (name, text) in try LawOptions.assignments(bounds, flag: "--bounds", example: "name=lo:hi (e.g. alpha=0:2)") {
        c.bounds[name] = try ClosedBounds(parsing: text, name: name)
    }
    for item in tie {
        let (leader, follower) = try ParameterConstraints.parseTie(item)
        c.ties[follower] = leader
    }
    let names = Set(law.parameterNames)
    for (flag, keys) in [("--fix", Array(c.fixed.keys)), ("--init", Array(c.initial.keys)), ("--bounds", Array(c.bounds.keys)),
                         ("--tie", Array(c.ties.keys) + Array(c.ties.values))] {
        for k in keys where !names.contains(k) {
            throw CLIError(message: "\(flag): the \(law.name) law has no parameter \"\(k)\"; its parameters are \(law.parameterNames.joined(separator: ", "))")
        }
    }
    return c
}

/// Steps given as a comma-separated list (units allowed); an empty value or item is refused, not
/// read as "no steps".
func stepList(_ text: String?, flag: String) throws -> [Double] {
    guard let text else { return [] }
    return try text.split(separator: ",", omittingEmptySubsequences: false).map { item in
        guard let v = parseQuantity(String(item).trimmingCharacters(in: .whitespaces)), v > 0, v == v.rounded() else {
            throw CLIError(message: "\(flag): expected whole step numbers such as 8000,16000, got \"\(item)\"")
        }
        return v
    }
}

/// Run names given as a comma-separated list (`--train`); nil when the option is absent (every run).
/// An empty value or item (`--train ''`, `--train a,,b`) is refused: read as "every run" it would fit
/// runs the user did not name.
func runNameList(_ text: String?, flag: String) throws -> [String] {
    guard let text else { return [] }
    let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard !names.contains(where: \.isEmpty) else {
        throw CLIError(message: "\(flag): expected run names separated by commas, got \"\(text)\"; leave the option out to use every run")
    }
    return names
}

/// `--steps`: the steps of a schedule-aware forecast (`curve --law multi-power|momentum`, `schedule`),
/// and `--at`, its former name (hidden; the command warns).
struct StepTargetOptions: ParsableArguments {
    @Option(help: "Steps at which to forecast the loss, comma-separated (curve: with --law multi-power or momentum).")
    var steps: String?

    @Option(name: .customLong("at"), help: .hidden)
    var deprecatedAt: String?
}

/// `scaling curve FILE --law multi-power|momentum …`.
struct ScheduleCurveRun {
    let command: Curve
    let lawName: String

    func run() throws {
        let c = command
        try reportingErrors {
            if c.intervals.bootstrap != nil { throw CLIError(message: "--bootstrap: schedule-aware forecasts take their intervals from a backtest within the file; drop --bootstrap") }
            if c.runSize != nil || c.tokens != nil || c.columns.tokensPerStep != nil || c.columns.tokensCol != nil || c.columns.paramsCol != nil
                || c.skipTokens != nil || c.skipFraction != nil {
                throw CLIError(message: "--tokens, --run-params, --tokens-per-step, --tokens-col, --params-col, --skip-tokens and --skip-fraction apply to the token-count curve; a schedule-aware law reads run, step, lr and loss, fits every point and forecasts at --steps")
            }
            let law = try scheduleAwareLaw(lawName)
            var options = ScheduleForecastOptions()
            options.level = c.intervals.level
            options.constraints = try scheduleConstraints(law: law, c.constraints)
            options.at = try stepList(c.targetSteps, flag: c.steps != nil ? "--steps" : "--at")
            if let t = c.through {
                guard let v = parseQuantity(t), v >= 0, v == v.rounded() else { throw CLIError(message: "--through: expected a whole step number such as 21600, got \"\(t)\"") }
                options.through = v
            }
            let runs = try ScheduleTable.runs(contentsOf: c.file, columns: c.columns.scheduleColumns)
            // A planned run logs nothing: draw its forecast on a grid of steps.
            if c.plot.plot != nil, runs.first(where: { $0.name == c.runName })?.losses.isEmpty == true { options.gridPoints = 100 }
            let train = try runNameList(c.train, flag: "--train")
            let forecast = try ScheduleCurves.forecast(law, runs: runs, target: c.runName, train: train, options: options)
            try c.plot.write {
                let others = forecast.fittedRuns + forecast.backtestRuns.filter { !forecast.fittedRuns.contains($0) }
                var series = others.filter { $0 != forecast.run }.compactMap { name -> SchedulePlot.Series? in
                    guard let r = runs.first(where: { $0.name == name }) else { return nil }
                    let fitted = law.predict(forecast.fit.parameters, schedule: r.schedule, steps: r.steps)
                    let points = zip(r.steps, fitted).map { ScheduleForecast.Point(step: $0, predicted: $1, interval: Interval($1, $1), actual: nil, lr: 0) }
                    return SchedulePlot.Series(name: name, schedule: r.schedule, logged: Array(zip(r.steps, r.losses)), forecast: points, through: nil,
                                               role: forecast.fittedRuns.contains(name) ? "fitted" : "checked")
                }
                let target = runs.first { $0.name == forecast.run }!
                series.append(SchedulePlot.Series(name: forecast.run, schedule: target.schedule, logged: Array(zip(target.steps, target.losses)),
                                                  forecast: forecast.points, through: forecast.through,
                                                  role: forecast.through.map { "forecast, cut \(Units.count($0))" } ?? "forecast"))
                return try SchedulePlot(series: series).render(
                    title: "\(law.name) law: forecast of run \(forecast.run)",
                    subtitle: "\(fittedSummary(forecast.fittedRuns)); final loss \(String(format: "%.4f", forecast.final.predicted)) at step \(Units.count(forecast.final.step)), \(Report.pct(forecast.level)) \(Report.interval(forecast.final.interval))")
            }
            if c.formatting.format == .json {
                try printJSON(ScheduleCurveReport(forecast, law: law))
            } else {
                print(ScheduleCurveReport.text(forecast, law: law, file: c.file, requested: Set(options.at)))
            }
        }
    }
}

/// One point of the JSON reports.
struct SchedulePointRecord: Encodable {
    var step: Double
    var predicted: Double
    var interval: Interval
    var actual: Double?
    var lr: Double

    init(_ p: ScheduleForecast.Point) {
        step = p.step
        predicted = p.predicted
        interval = p.interval
        actual = p.actual
        lr = p.lr
    }
}

/// `scaling curve --law multi-power --json`.
struct ScheduleCurveReport: Encodable {
    var run: String
    var law: String
    var formula: String
    var objective: String
    var level: Double
    @NullWhenAbsent var through: Double?
    var fittedRuns: [String]
    var points: [SchedulePointRecord]
    var final: SchedulePointRecord
    @NullWhenAbsent var meanRelativeError: Double?
    var parameters: [String: Double]
    var fixed: [String]
    var backtestRuns: [String]
    var backtestPoints: Int
    @NullWhenAbsent var backtestRMSLogError: Double?
    @NullWhenAbsent var changeErrorScale: Double?
    @NullWhenAbsent var recentMisfit: Double?
    var warnings: [String]

    init(_ f: ScheduleForecast, law: any ScheduleAwareLaw) {
        run = f.run
        self.law = law.name
        formula = law.formula
        objective = f.fit.objective.definition
        level = f.level
        through = f.through
        fittedRuns = f.fittedRuns
        points = f.points.map(SchedulePointRecord.init)
        final = SchedulePointRecord(f.final)
        meanRelativeError = f.meanRelativeError
        parameters = f.fit.parameterValues
        fixed = f.fit.fixed.sorted()
        backtestRuns = f.backtestRuns
        backtestPoints = f.backtestPoints
        backtestRMSLogError = f.backtestError
        changeErrorScale = f.changeErrorScale
        recentMisfit = f.recentMisfit
        warnings = f.warnings
    }

    static func text(_ f: ScheduleForecast, law: any ScheduleAwareLaw, file: String, requested: Set<Double>) -> String {
        let params = zip(law.parameterNames, f.fit.parameters).map { "\($0)=\(Report.number($1))\(f.fit.fixed.contains($0) ? " (fixed)" : "")" }
        var lines = [
            "run        \(f.run) from \(file)",
            "law        \(law.name): \(law.formula)",
            "fitted     \(f.fittedRuns.isEmpty ? "nothing (every parameter given)" : f.fittedRuns.joined(separator: ", "))\(f.through.map { " (\(f.run) through step \(Units.count($0)))" } ?? "")",
            "parameters \(params.joined(separator: ", "))",
        ]
        for p in f.points where requested.contains(p.step) {
            lines.append("at step    \(Units.count(p.step)): loss \(String(format: "%.4f", p.predicted)), \(Report.pct(f.level)) \(Report.interval(p.interval))\(p.actual.map { ", logged \(String(format: "%.4f", $0))" } ?? "")")
        }
        lines.append("final      step \(Units.count(f.final.step)): loss \(String(format: "%.4f", f.final.predicted)), \(Report.pct(f.level)) interval \(Report.interval(f.final.interval)) (where the logged loss will land)\(f.final.actual.map { "; logged \(String(format: "%.4f", $0)), \(f.final.interval.contains($0) ? "inside" : "OUTSIDE")" } ?? "")")
        if let mre = f.meanRelativeError {
            lines.append("error      mean |actual - predicted|/actual = \(String(format: "%.3f%%", 100 * mre)) over the logged points\(f.through.map { " after step \(Units.count($0))" } ?? "")")
        }
        if !f.backtestRuns.isEmpty {
            let rms = String(format: "%.3f%%", 100 * (f.backtestError ?? 0))
            lines.append(f.fittedRuns.isEmpty
                ? "intervals  the given law's error on the other runs (\(f.backtestRuns.joined(separator: ", ")); RMS log error \(rms))"
                : "intervals  parameter uncertainty + backtest error (held out in turn: \(f.backtestRuns.joined(separator: ", ")); RMS log error \(rms))")
        }
        if let kappa = f.changeErrorScale, kappa > 0 {
            lines.append("           + κ = \(String(format: "%.3g", kappa)) of the log change predicted past step \(Units.count(f.through ?? 0)) beyond the held-out runs' own at that point")
        }
        if let b = f.recentMisfit {
            lines.append("           + this run's misfit at the cut: its last fitted points lie \(String(format: "%+.3f%%", 100 * b)) off the curve")
        }
        for w in f.warnings { lines.append("warning    \(w)") }
        return lines.joined(separator: "\n")
    }
}

/// `scaling schedule`: rank planned learning-rate schedules by predicted final loss.
struct Schedule: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Rank candidate learning-rate schedules by the final loss a schedule-aware law predicts for them.",
        discussion: HelpText.discussion(
            "FILE holds logged runs of one model (run, step, lr, loss; between rows the lr is linear in the step). The law (multi-power or momentum) is fitted to them once; each candidate in the --candidates file (run, step, lr rows; a loss column may be absent or empty) is a planned schedule, forecast from its schedule alone (with --plot, JSON `points` also hold the 100 steps the curves are drawn at). Candidates are ranked by predicted final loss, with intervals for where the final logged loss will land (parameter uncertainty plus a backtest of forecasting one fitted run from the others).",
            examples: [
                "scaling schedule Examples/data/multipower_25m.csv --law multi-power --train cosine_24000,constant_24000,wsdcon_9 --candidates Examples/data/wsd_candidates.csv --plot candidates.svg",
                "scaling schedule Examples/data/multipower_25m.csv --law momentum --train cosine_24000,constant_24000,wsdcon_9 --candidates Examples/data/wsd_candidates.csv --json",
            ]
        )
    )

    @Argument(help: "Long-format CSV of logged runs: run, step, lr, loss.")
    var file: String

    @Option(help: "The law: multi-power or momentum.")
    var law: String = "multi-power"

    @Option(help: "CSV of candidate schedules: run, step, lr (one run per candidate).")
    var candidates: String

    @Option(help: "Runs of FILE to fit, comma-separated (default: every run with losses).")
    var train: String?

    /// `--steps`: also report each candidate's loss at these steps.
    @OptionGroup var stepTargets: StepTargetOptions
    var steps: String? { stepTargets.steps }
    var deprecatedAt: String? { stepTargets.deprecatedAt }

    @OptionGroup var constraints: ConstraintOptions

    @OptionGroup var columns: ColumnOptions<ScheduleColumns>

    @OptionGroup var confidence: LevelOptions

    @OptionGroup var formatting: OutputOptions

    @OptionGroup var plot: PlotOptions

    func validate() throws {
        if deprecatedAt != nil {
            guard steps == nil else { throw ValidationError("--at is the former name of --steps: give --steps only") }
            warnDeprecated("--at", use: "--steps")
        }
    }

    func run() throws {
        try reportingErrors {
            let level = confidence.level
            let law = try scheduleAwareLaw(self.law)
            var options = ScheduleForecastOptions()
            options.level = level
            options.constraints = try scheduleConstraints(law: law, constraints)
            options.at = try stepList(steps ?? deprecatedAt, flag: steps != nil ? "--steps" : "--at")
            if plot.plot != nil { options.gridPoints = 100 }
            let columns = self.columns.scheduleColumns
            let runs = try ScheduleTable.runs(contentsOf: file, columns: columns)
            let planned = try readCandidates(columns)
            let train = try runNameList(self.train, flag: "--train")
            let ranked = try ScheduleCurves.rank(law, runs: runs, train: train, candidates: planned, options: options)
            try plot.write {
                try SchedulePlot(series: ranked.map { f in
                    SchedulePlot.Series(name: f.run, schedule: planned.first { $0.name == f.run }!.schedule, logged: [], forecast: f.points, through: nil,
                                        role: String(format: "%.4f", f.final.predicted))
                }).render(title: "Candidate schedules ranked by predicted final loss (\(law.name) law)",
                          subtitle: "\(fittedSummary(ranked[0].fittedRuns)) from \(file); bands: \(Report.pct(level)) intervals")
            }
            if formatting.format == .json {
                try printJSON(ScheduleRankingReport(ranked, law: law))
            } else {
                var lines = ["law        \(law.name), \(fittedSummary(ranked[0].fittedRuns))",
                             "parameters \(zip(law.parameterNames, ranked[0].fit.parameters).map { "\($0)=\(Report.number($1))" }.joined(separator: ", "))",
                             "rank  candidate                final step   predicted   \(Report.pct(level)) interval"]
                for (i, f) in ranked.enumerated() {
                    lines.append(String(format: "%4d  %@ %10@   %9.4f   %@", i + 1, f.run.padding(toLength: 24, withPad: " ", startingAt: 0),
                                        Units.count(f.final.step), f.final.predicted, Report.interval(f.final.interval)))
                }
                if ranked.count > 1 {
                    let gap = ranked[1].final.predicted - ranked[0].final.predicted
                    let overlap = ranked[1].final.interval.low <= ranked[0].final.interval.high
                    lines.append("best       \(ranked[0].run), \(String(format: "%.4f", gap)) below the next\(overlap ? " (the intervals overlap: the ranking of these two is not certain)" : "")")
                }
                print(lines.joined(separator: "\n"))
            }
        }
    }

    private func readCandidates(_ columns: ScheduleTable.Columns) throws -> [ScheduledRun] {
        let planned = try ScheduleTable.runs(contentsOf: candidates, columns: columns)
        if let run = planned.first(where: { !$0.losses.isEmpty }) {
            throw CLIError(message: "--candidates: run \"\(run.name)\" in \(candidates) logs losses; candidates are planned schedules (run, step, lr rows)")
        }
        return planned
    }
}

/// `scaling schedule --json`.
struct ScheduleRankingReport: Encodable {
    struct Candidate: Encodable {
        var rank: Int
        var run: String
        var final: SchedulePointRecord
        var points: [SchedulePointRecord]
    }
    var law: String
    var fittedRuns: [String]
    var parameters: [String: Double]
    var level: Double
    var candidates: [Candidate]
    var backtestRuns: [String]
    var warnings: [String]


    init(_ ranked: [ScheduleForecast], law: any ScheduleAwareLaw) {
        self.law = law.name
        fittedRuns = ranked[0].fittedRuns
        parameters = ranked[0].fit.parameterValues
        level = ranked[0].level
        candidates = ranked.enumerated().map { Candidate(rank: $0.offset + 1, run: $0.element.run, final: SchedulePointRecord($0.element.final),
                                                         points: $0.element.points.map(SchedulePointRecord.init)) }
        backtestRuns = ranked[0].backtestRuns
        warnings = ranked[0].warnings
    }
}

/// "fitted on a, b" for the runs a schedule-aware law was fitted on; with every parameter given nothing was.
private func fittedSummary(_ runs: [String]) -> String {
    runs.isEmpty ? "nothing fitted (every parameter given)" : "fitted on \(runs.joined(separator: ", "))"
}
