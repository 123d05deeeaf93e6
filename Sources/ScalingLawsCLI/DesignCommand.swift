import Foundation
import ArgumentParser
import ScalingLaws

struct Design: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "design",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Choose the small runs to train, within a FLOP budget, for the forecast you need.",
        discussion: HelpText.discussion(
            "Scores designs by the interval the fit of their runs would give the target: Fisher information of the law at assumed parameters (a pilot fit, or --fix for every parameter), noise from the pilot fit or --noise, delta method for the target. Searches candidates (a log grid of sizes × tokens per parameter, or --candidates FILE with params, tokens and an optional flops column for your own cost accounting) by a greedy start and exchange, keeping runs within --ratio-band of the target's tokens per parameter (relative to the compute-optimal ratio), where the law is most trustworthy. Compares with an isoFLOP grid and a ladder at 20 tokens per parameter of equal cost.",
            "Targets (one of): --target-params N --target-tokens D, the loss of that run; --target-flops C, the loss of the compute-optimal run at C; --target-optimum C, N* and D* at C. --design FILE scores a design you already have instead of proposing one.",
            examples: [
                "scaling design --law chinchilla --fix E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --noise 0.01 --budget 1e20 --target-flops 1e22",
                "scaling design Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --budget 2e21 --target-optimum 1e24 --max-params 3e9 --max-runs 24",
                "scaling design --law chinchilla --fix E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --noise 0.01 --budget 2e21 --target-flops 1.3e22 --candidates Examples/data/chinchilla_fig4_fitset.csv --plot design.svg",
                "scaling design --law chinchilla --fix E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --noise 0.01 --design Examples/data/chinchilla_fig4_fitset.csv --target-flops 1.3e22 --format json",
            ]
        )
    )

    @OptionGroup var source: SourceOptions

    @Option(help: "FLOP budget for all the runs together (e.g. 2e21).")
    var budget: String?

    @Option(help: "Target: the loss of a run with this many parameters (with --target-tokens).")
    var targetParams: String?

    @Option(help: "Target: the loss of a run on this many tokens (with --target-params).")
    var targetTokens: String?

    @Option(help: "Target: the loss of the compute-optimal run at this many FLOPs.")
    var targetFlops: String?

    @Option(help: "Target: the compute-optimal N* and D* at this many FLOPs.")
    var targetOptimum: String?

    @Option(help: "Noise of a run's loss about the law, in the fit's residual space (0.01 = 1% with the default log space); default: the pilot fit's residual scale.")
    var noise: Double?

    @Option(help: ArgumentHelp("CSV of runs you can train: params, tokens and optionally flops (the cost; default k·N·D); other columns are ignored.",
                               valueName: "file.csv"))
    var candidates: String?

    @Option(help: ArgumentHelp("Score this design (CSV with params, tokens, optional flops) instead of proposing one.", valueName: "runs.csv"))
    var design: String?

    @Option(help: "Smallest model size of the candidates (default grid: from 1e7).")
    var minParams: String?

    @Option(help: "Largest model size of the candidates.")
    var maxParams: String?

    @Option(help: "Most training tokens of a candidate (the data you have).")
    var maxTokens: String?

    @Option(help: "Use candidates whose tokens per parameter are within this factor of the target's, relative to the compute-optimal ratio (inf: all).")
    var ratioBand: Double = 3

    @Option(help: "Most runs in the design (default: as many as the budget buys).")
    var maxRuns: Int?

    @Option(help: "Confidence level of the predicted intervals.")
    var level: Double = 0.95

    @OptionGroup var formatting: OutputOptions

    @OptionGroup var plot: PlotOptions

    func run() throws {
        try reportingErrors {
            let target = try parseTarget()
            let limits = DesignLimits(minParams: try minParams.map { try quantities([$0], flag: "--min-params")[0] },
                                      maxParams: try maxParams.map { try quantities([$0], flag: "--max-params")[0] },
                                      maxTokens: try maxTokens.map { try quantities([$0], flag: "--max-tokens")[0] })
            try limits.validate()
            let budgetValue = try budget.map { text -> Double in
                guard let v = parseQuantity(text) else {
                    throw CLIError(message: "--budget: expected a FLOP budget such as 2e21, got \"\(text)\"")
                }
                return v
            }
            let prior = try source.fittedLaw()
            let problem = try DesignProblem(fit: prior, target: target, noise: noise, level: level)
            let k = problem.flopsPerParamToken
            let given = try candidates.map { try readRuns($0, flopsPerParamToken: k) }

            let proposal: ExperimentDesign?
            let score: DesignScore
            let cost: Double
            var notes = [String]()
            if let design {
                let runs = try readRuns(design, flopsPerParamToken: k)
                score = try problem.score(runs)
                cost = budgetValue ?? score.cost
                proposal = nil
                if budgetValue != nil { notes.append("baselines cost the --budget given; the design costs \(Units.flops(score.cost))") }
            } else {
                guard let budgetValue else {
                    throw CLIError(message: "--budget: give the FLOP budget for the runs, e.g. --budget 2e21 (or --design runs.csv to score runs you have)")
                }
                let pool = try given.map { try DesignCandidates.filter($0, limits: limits) }
                    ?? DesignCandidates.grid(budget: budgetValue, limits: limits, flopsPerParamToken: k)
                let result = try ExperimentDesigner.propose(problem, candidates: pool, budget: budgetValue,
                                                            options: DesignSearchOptions(ratioBand: ratioBand, maxRuns: maxRuns))
                score = result.score
                cost = budgetValue
                proposal = result
                notes += result.notes
            }
            let baselines = try StandardDesigns.baselines(problem, budget: cost, candidates: given)
            let source = self.source.origin ?? (prior.runs == 0 ? "(parameters given with --fix)" : "")
            try plot.write {
                DesignPlot(problem: problem, score: score, baselines: baselines,
                           candidates: given ?? (try? DesignCandidates.grid(budget: cost, limits: limits, flopsPerParamToken: k)) ?? [])
                    .render(source: source)
            }
            let noiseSource = noise != nil ? "given" : "pilot fit's residual scale"
            switch formatting.format {
            case .json:
                try printJSON(DesignRecord(problem: problem, score: score, budget: budgetValue, proposal: proposal, baselines: baselines,
                                           noiseSource: noiseSource, notes: notes + score.notes))
            case .text:
                output(DesignReport.text(problem: problem, score: score, budget: budgetValue, proposal: proposal, baselines: baselines,
                                         noiseSource: noiseSource, source: source, notes: notes + score.notes))
            }
        }
    }

    private func parseTarget() throws -> DesignTarget {
        func value(_ text: String, _ flag: String) throws -> Double {
            guard let v = parseQuantity(text) else { throw CLIError(message: "\(flag): expected a positive number such as 1e22, got \"\(text)\"") }
            return v
        }
        let given = [targetParams != nil || targetTokens != nil, targetFlops != nil, targetOptimum != nil].filter { $0 }.count
        guard given == 1 else {
            throw CLIError(message: given == 0
                ? "give the target: --target-params N --target-tokens D, --target-flops C or --target-optimum C"
                : "give one target: --target-params/--target-tokens, --target-flops or --target-optimum")
        }
        if let c = targetFlops { return .optimalLoss(flops: try value(c, "--target-flops")) }
        if let c = targetOptimum { return .optimum(flops: try value(c, "--target-optimum")) }
        guard let n = targetParams, let d = targetTokens else {
            throw CLIError(message: targetParams == nil ? "--target-tokens needs --target-params (the loss of that run)" : "--target-params needs --target-tokens (the loss of that run)")
        }
        return .loss(params: try value(n, "--target-params"), tokens: try value(d, "--target-tokens"))
    }

    /// Runs with params, tokens and a cost from a CSV file (the flops column, else k·N·D).
    private func readRuns(_ path: String, flopsPerParamToken k: Double) throws -> [DesignRun] {
        let table = try CSVTable(contentsOf: path)
        let runs = try RunTable.runs(from: table, variables: [Variable.params, Variable.tokens, Variable.flops],
                                     columns: source.columns.columns, requireLoss: false, flopsPerParamToken: k)
        return runs.map { DesignRun(params: $0.params!, tokens: $0.tokens!, flops: $0.flops!) }
    }
}

/// `design --format json`.
struct DesignRecord: Encodable {
    struct RunRecord: Encodable {
        var params: Double
        var tokens: Double
        var flops: Double
    }
    struct BaselineRecord: Encodable {
        var name: String
        var summary: String
        var runs: [RunRecord]
        var cost: Double
        /// Undetermined widths are written as null, not left out.
        @NullWhenAbsent var predictedHalfWidth: Double?
        @NullWhenAbsent var predictedRelativeHalfWidth: Double?
        @NullWhenAbsent var predictedInterval: Interval?
    }

    var mode: String
    var law: String
    var parameters: [String: Double]
    var target: String
    var quantity: String
    var noise: Double
    var noiseSource: String
    var efficiency: Double
    var level: Double
    var budget: Double?
    var runs: [RunRecord]
    var cost: Double
    var predictedValue: Double
    /// Undetermined widths are written as null, not left out.
    @NullWhenAbsent var predictedHalfWidth: Double?
    @NullWhenAbsent var predictedRelativeHalfWidth: Double?
    @NullWhenAbsent var predictedInterval: Interval?
    var tokensInterval: Interval?
    var candidatesGiven: Int?
    var candidatesUsed: Int?
    var baselines: [BaselineRecord]
    var notes: [String]

    static func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }
    static func runs(_ score: DesignScore) -> [RunRecord] { score.runs.map { RunRecord(params: $0.params, tokens: $0.tokens, flops: $0.flops) } }
    static func interval(_ score: DesignScore) -> Interval? { score.logStandardDeviation.isFinite ? score.interval : nil }

    init(problem: DesignProblem, score: DesignScore, budget: Double?, proposal: ExperimentDesign?, baselines: [StandardDesigns.Baseline],
         noiseSource: String, notes: [String]) {
        mode = proposal == nil ? "score" : "propose"
        law = problem.law.name
        parameters = Dictionary(uniqueKeysWithValues: zip(problem.law.parameterNames, problem.parameters))
        target = problem.target.summary
        quantity = score.quantity
        noise = problem.noise
        self.noiseSource = noiseSource
        efficiency = problem.efficiency
        level = problem.level
        self.budget = budget
        runs = Self.runs(score)
        cost = score.cost
        predictedValue = score.value
        predictedHalfWidth = Self.finite(score.halfWidth)
        predictedRelativeHalfWidth = Self.finite(score.relativeHalfWidth)
        predictedInterval = Self.interval(score)
        tokensInterval = score.logStandardDeviation.isFinite ? score.secondary?.interval : nil
        candidatesGiven = proposal?.candidatesGiven
        candidatesUsed = proposal?.candidatesUsed
        self.baselines = baselines.map { b in
            BaselineRecord(name: b.name, summary: b.summary, runs: Self.runs(b.score), cost: b.score.cost,
                           predictedHalfWidth: Self.finite(b.score.halfWidth), predictedRelativeHalfWidth: Self.finite(b.score.relativeHalfWidth),
                           predictedInterval: Self.interval(b.score))
        }
        self.notes = notes
    }
}

/// `design` text report.
enum DesignReport {
    static func text(problem: DesignProblem, score: DesignScore, budget: Double?, proposal: ExperimentDesign?,
                     baselines: [StandardDesigns.Baseline], noiseSource: String, source: String, notes: [String]) -> String {
        let law = problem.law
        let params = zip(law.parameterNames, problem.parameters).map { "\($0)=\(Report.number($1))" }.joined(separator: " ")
        let space = problem.objective.space == .log ? "ln loss" : "loss"
        var lines = [
            "law        \(law.name): \(law.formula)",
            "assumed    \(params) \(source)",
            "target     \(targetLine(problem, score))",
            "noise      σ = \(Report.number(problem.noise)) in \(space) (\(noiseSource)); objective \(problem.objective.loss.rawValue) inflates the variance ×\(String(format: "%.2f", problem.efficiency)) over least squares",
        ]
        if let proposal {
            lines.append("budget     \(Units.flops(proposal.budget)) FLOPs; \(score.runs.count) runs chosen from \(proposal.candidatesUsed) usable of \(proposal.candidatesGiven) candidates")
        } else {
            lines.append("design     \(score.runs.count) runs given (score mode)")
        }
        lines.append("")
        let rows = score.runs.enumerated().map { i, r in
            [String(i + 1), Units.count(r.params), Units.count(r.tokens), String(format: "%.1f", r.tokens / r.params), Units.flops(r.flops)]
        }
        lines.append(Report.table(["#", "params", "tokens", "tokens/param", "flops"], rows))
        lines.append("")
        // A design far above the budget (a cost of 1e308 printed a 290-digit or an infinite percentage):
        // above 100 times the budget, say the multiple.
        let share = budget.map { b in
            let f = score.cost / b
            return f <= 100 ? String(format: " (%.1f%% of the budget)", 100 * f) : " (\(Units.flops(f)) times the budget)"
        } ?? ""
        lines.append("cost       \(Units.flops(score.cost)) FLOPs\(share), \(score.distinctSizes) distinct sizes")
        lines.append("predicted  \(intervalLine(problem, score))")
        lines.append("")
        lines.append("standard designs of equal cost")
        let table = [("proposed", score)] + baselines.map { ($0.name, $0.score) }
        lines.append(Report.table(["design", "runs", "cost", "± half-width", "± relative"], table.map { name, s in
            [name, String(s.runs.count), Units.flops(s.cost),
             s.logStandardDeviation.isFinite ? Report.number(s.halfWidth) : "undetermined",
             s.logStandardDeviation.isFinite ? Report.percent(s.relativeHalfWidth) : "-"]
        }))
        for b in baselines { lines.append("  \(b.name): \(b.summary)") }
        if !notes.isEmpty {
            lines.append("")
            lines += notes.map { "note: \($0)" }
        }
        lines.append("note: intervals are predicted from the law's Jacobian at the assumed parameters; they hold if the law is right and the noise is σ. Check a design by backtesting: fit its runs and forecast larger ones.")
        return lines.joined(separator: "\n")
    }

    static func targetLine(_ problem: DesignProblem, _ score: DesignScore) -> String {
        switch problem.target {
        case let .loss(n, d): return "loss of N = \(Units.count(n)), D = \(Units.count(d)): \(Report.number(score.value)) by the assumed law"
        case let .optimalLoss(c): return "loss of the compute-optimal run at C = \(Units.flops(c)): \(Report.number(score.value)) by the assumed law"
        case let .optimum(c):
            return "compute-optimal N*, D* at C = \(Units.flops(c)): N* = \(Units.count(score.value)), D* = \(Units.count(score.secondary?.value)) by the assumed law"
        }
    }

    static func intervalLine(_ problem: DesignProblem, _ score: DesignScore) -> String {
        let level = Report.pct(problem.level)
        guard score.logStandardDeviation.isFinite else { return "the runs do not determine the target" }
        if let tokens = score.secondary {
            return "\(level) interval N* \(Report.countInterval(score.interval)) (± \(Report.percent(score.relativeHalfWidth))), D* \(Report.countInterval(tokens.interval))"
        }
        return "\(level) interval of the target \(Report.interval(score.interval)): ± \(Report.number(score.halfWidth)) (± \(Report.percent(score.relativeHalfWidth)))"
    }
}
