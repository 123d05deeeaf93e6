import ArgumentParser
import Foundation
import ScalingLaws

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank laws by how well they forecast held-out runs, with fit statistics and misspecification checks.",
        discussion: """
            Each law is fitted to all runs (in-sample error, AIC, BIC, residual checks) and backtested on
            the split (default: hold out the top 20% of runs by compute). Laws are ranked by backtest
            MARE; flags point out residual structure that noise does not explain.
            Examples:
              scaling compare runs.csv --laws power,saturating,chinchilla
              scaling compare runs.csv --laws saturating,chinchilla --train 'flops<1e21' --format json
            """
    )

    @Argument(help: "CSV file of runs.")
    var file: String

    @Option(help: "Comma-separated laws to compare.")
    var laws: String = "power,saturating,chinchilla"

    @OptionGroup var law: LawOptions
    @OptionGroup var columns: ColumnOptions
    @OptionGroup var split: SplitOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            let names = laws.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let oneVariable: Set<String> = ["power", "saturating", "bnsl", "test-time"]
            if law.formula != nil && !names.contains("formula") {
                throw CLIError(message: "--formula is compared only when --laws includes formula, e.g. --laws chinchilla,formula")
            }
            // `formula` in --laws is the law --formula defines (its variables are the file's columns).
            let header = names.contains("formula") && law.formula != nil ? try CSVTable(contentsOf: file).header : []
            let candidates = try names.map { name -> any ScalingLaw in
                if name == "formula", let formula = law.formula {
                    return try FormulaLaw(formula, columns: header, bounds: try law.boundValues())
                }
                return try LawCatalog.law(named: name, x: oneVariable.contains(name) ? law.x : nil)
            }
            var options = try law.fitOptions()
            guard options.fixed.isEmpty else {
                throw CLIError(message: "--fix names parameters of one law; compare fits every law freely")
            }
            options.fixed = [:]
            // Default split: the top 20% by compute, or by the laws' own variable when they read another column.
            let standard = Set(Variable.standard)
            let defaultBy = candidates.allSatisfy { Set($0.variables).isSubset(of: standard) } ? Variable.flops : candidates[0].variables[0]
            let trainSplit = try split.split(default: .holdoutTop(fraction: 0.2, by: defaultBy))
            let variables = Array(Set(candidates.flatMap(\.variables))).sorted()
            let table = try CSVTable(contentsOf: file)
            let runs = try columns.runs(from: table, variables: variables, flopsPerParamToken: options.flopsPerParamToken)
            let comparison = try LawComparison(laws: candidates, runs: runs,
                                               split: trainSplit,
                                               options: options)
            switch format {
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

        enum CodingKeys: String, CodingKey {
            case rank, law, formula, parameters, k, objective, aic, bic, trends, flags
            case inSampleMare = "in_sample_mare"
            case backtestMare = "backtest_mare"
            case backtestMaxAre = "backtest_max_are"
            case backtestBias = "backtest_bias"
            case backtestCoverage = "backtest_coverage"
            case runsTestZ = "runs_test_z"
        }
    }

    var split: String
    var likelihood: String
    var laws: [Entry]

    init(_ c: LawComparison) {
        split = c.split.description
        likelihood = c.likelihood
        laws = c.entries.enumerated().map { i, e in
            Entry(rank: i + 1, law: e.fit.law.name, formula: e.fit.law.formula, parameters: e.fit.parameterValues, k: e.parameterCount,
                  objective: e.fit.record.objective, inSampleMare: e.inSampleMARE, backtestMare: e.backtest.mare,
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
