import ArgumentParser
import Foundation
import ScalingLaws

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Rank laws by how well they forecast held-out runs, with fit statistics and misspecification checks.",
        discussion: HelpText.discussion(
            "Each law is fitted to all runs (in-sample error, AIC, BIC, residual checks) and backtested on the split (default: hold out the top 20% of runs by compute; for sigmoid and exp-error, the 20% with the lowest task loss). Laws are ranked by backtest MARE; flags point out residual structure that noise does not explain.",
            "The laws: --laws (a list), plus --law and --formula when given (without any of them: power,saturating,chinchilla). --x is the variable of every one-variable law in the list, --breaks and --form apply to bnsl and test-time. The split may read a column no law uses (e.g. --holdout-top 20% --by params for laws in flops).",
            examples: [
                "scaling compare Examples/data/chinchilla_fig4_fitset.csv --laws power,saturating,chinchilla",
                "scaling compare Examples/data/chinchilla_fig4_fitset.csv --laws kaplan,chinchilla --holdout-top 20% --by params",
                "scaling compare Examples/data/chinchilla_fig4_all.csv --laws saturating,chinchilla --train 'flops<1e21' --format json",
                "scaling compare Examples/data/chinchilla_fig4_fitset.csv --laws chinchilla --formula 'E + A*N^-alpha + B*D^-alpha'",
            ]
        )
    )

    @Argument(help: "CSV file of runs.")
    var file: String

    @Option(help: "Comma-separated laws to compare (default: power,saturating,chinchilla unless --law or --formula is given).")
    var laws: String?

    @OptionGroup var law: LawOptions
    @OptionGroup var columns: ColumnOptions<RunColumns>
    @OptionGroup var split: SplitOptions

    @OptionGroup var formatting: OutputOptions

    static let defaultLaws = ["power", "saturating", "chinchilla"]

    /// The laws to compare, each with --x, --breaks and --form where it takes them.
    /// `header` nil checks the named laws before the file is read (the formula law needs its columns).
    func candidates(columns header: [String]?) throws -> [any ScalingLaw] {
        var names = (laws ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let laws, names.isEmpty {
            throw CLIError(message: "--laws: expected a comma-separated list of laws such as power,saturating,chinchilla, got \"\(laws)\"")
        }
        if let single = law.law, single != "formula" { names.append(single) }
        if names.isEmpty && law.formula == nil { names = Self.defaultLaws }
        var seen = Set<String>()
        names = names.filter { seen.insert($0.lowercased()).inserted }
        // The catalogue gives --x, --breaks and --form to the laws that take them and refuses one that
        // no named law takes.
        var out = names.isEmpty ? [] : try LawCatalog.laws(named: names, configuration: law.configuration)
        if let formula = law.formula {
            guard let header else { return out }
            if let single = law.law, single != "formula", laws == nil {
                throw CLIError(message: "--formula defines a law of its own: drop --law \(single), or list laws with --laws to compare with the formula")
            }
            out.append(try FormulaLaw(formula, columns: header, bounds: try law.boundValues()))
        }
        if let x = law.x, !out.contains(where: { $0.variables == [x] }) {
            throw CLIError(message: "--x \(x): none of the laws compared reads one variable (\(out.map(\.name).joined(separator: ", ")))")
        }
        return out
    }

    func run() throws {
        try reportingErrors {
            if let formula = law.formula { try FormulaLaw.checkSyntax(formula) }
            _ = try candidates(columns: nil)  // unknown laws and misplaced flags before the file is read
            let table = try RunFile(contentsOf: file)
            let candidates = try candidates(columns: table.header)
            // One objective for every law: --loss/--space, else the laws' own default when they share one.
            let defaults = Set(candidates.map { $0.defaultObjective.map(\.label) ?? "" })
            var options = try law.fitOptions(for: defaults.count == 1 ? candidates[0] : nil)
            guard options.fixed.isEmpty else {
                throw CLIError(message: "--fix names parameters of one law; compare fits every law freely")
            }
            options.fixed = [:]
            // Default split: the top 20% by compute, or by the laws' own variable when they read another column.
            let standard = Set(Variable.standard)
            let defaultBy = candidates.allSatisfy { Set($0.variables).isSubset(of: standard) } ? Variable.flops : candidates[0].variables[0]
            // Laws from task loss to a metric forecast towards lower loss: hold out the lowest 20% of losses.
            let lossToMetric = candidates.allSatisfy { ["sigmoid", "exp-error"].contains($0.name) }
            let trainSplit = try split.split(default: lossToMetric ? .percentile(variable: defaultBy, op: .greaterOrEqual, quantile: 0.2)
                                                                   : .holdoutTop(fraction: 0.2, by: defaultBy))
            // The split may read a column none of the laws uses (e.g. laws in C split by N).
            let variables = Array(Set(candidates.flatMap(\.variables) + [SplitOptions.variable(of: trainSplit)])).sorted()
            let runs = try columns.runs(from: table, variables: variables, flopsPerParamToken: options.flopsPerParamToken)
            let comparison = try LawComparison(laws: candidates, runs: runs,
                                               split: trainSplit,
                                               options: options)
            switch formatting.format {
            case .json: try printJSON(CompareReport(comparison))
            case .text: output(CompareReport.text(comparison, file: file))
            }
        }
    }
}

struct CompareReport: Encodable {
    struct Entry: Encodable {
        var rank: Int
        var law: String
        var formula: String
        var parameters: [String: Double]
        var k: Int
        var objective: FitRecord.ObjectiveRecord
        var inSampleMare: Double
        var backtestMare: Double
        var backtestMaxAre: Double
        var backtestBias: Double
        var backtestCoverage: Double
        var aic: Double
        var bic: Double
        var runsTestZ: Double?
        var trends: [String: Double]
        var flags: [String]
    }

    var split: String
    var likelihood: String
    var laws: [Entry]

    init(_ c: LawComparison) {
        split = c.split.description
        likelihood = c.likelihood
        laws = c.entries.enumerated().map { i, e in
            Entry(rank: i + 1, law: e.fit.law.name, formula: e.fit.law.formula, parameters: e.fit.parameterValues, k: e.parameterCount,
                  objective: e.fit.recordWithoutTrainingRuns.objective, inSampleMare: e.inSampleMARE, backtestMare: e.backtest.mare,
                  backtestMaxAre: e.backtest.maxARE, backtestBias: e.backtest.bias, backtestCoverage: e.backtest.coverage,
                  aic: e.aic, bic: e.bic, runsTestZ: e.diagnostics.runsTestZ,
                  trends: Dictionary(uniqueKeysWithValues: e.diagnostics.trends.map { ($0.variable, $0.t) }), flags: e.flags)
        }
    }

    static func text(_ c: LawComparison, file: String) -> String {
        let bestAIC = c.entries.map(\.aic).min() ?? 0
        let bestBIC = c.entries.map(\.bic).min() ?? 0
        let rows = c.entries.enumerated().map { i, e in
            ["\(i + 1)", e.fit.law.name, "\(e.parameterCount)", Report.percent(e.backtest.mare), Report.percent(e.backtest.maxARE),
             String(format: "%+.2f%%", 100 * e.backtest.bias), Report.percent(e.inSampleMARE),
             String(format: "%.1f", e.aic - bestAIC), String(format: "%.1f", e.bic - bestBIC), "\(e.flags.count)"]
        }
        var lines = ["runs       \(c.entries.first?.fit.runs ?? 0) from \(file)",
                     "backtest   \(c.split.description)",
                     "objective  \(c.entries.first?.fit.objective.definition ?? "")",
                     "AIC/BIC    \(c.likelihood); shown as differences from the best", ""]
        lines.append(Report.table(["rank", "law", "k", "backtest MARE", "max ARE", "bias", "in-sample MARE", "dAIC", "dBIC", "flags"], rows))
        if let first = c.entries.first, let byAIC = c.entries.min(by: { $0.aic < $1.aic }), let byBIC = c.entries.min(by: { $0.bic < $1.bic }) {
            var verdict = "best       by backtest: \(first.fit.law.name); by AIC: \(byAIC.fit.law.name); by BIC: \(byBIC.fit.law.name)"
            if !first.flags.isEmpty { verdict += " (the backtest winner has \(first.flags.count) warning\(first.flags.count == 1 ? "" : "s"): read them before trusting its forecast)" }
            lines.append("")
            lines.append(verdict)
        }
        for e in c.entries where !e.flags.isEmpty {
            lines.append("")
            lines.append("\(e.fit.law.name):")
            lines += e.flags.map { "  - \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
