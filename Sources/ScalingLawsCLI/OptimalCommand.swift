import ArgumentParser
import ScalingLaws

struct Optimal: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute-optimal model size and tokens for a FLOP budget, with intervals.",
        discussion: """
            For chinchilla, the closed form of Hoffmann et al. (2022, eq. 4) under C = k·N·D; for
            saturating fitted on flops, the loss the budget reaches.
            Examples:
              scaling optimal runs.csv --law chinchilla --flops 5.88e23
              scaling optimal runs.csv --law chinchilla --flops 1e24 --bootstrap 1000
              scaling optimal --law chinchilla --fix E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28 --flops 1e24
              scaling optimal --fit fit.json --flops 1e22,1e23,1e24 --format json
            """
    )

    @OptionGroup var source: SourceOptions
    @OptionGroup var intervals: UncertaintyOptions

    @Option(help: "FLOP budget(s) C (comma-separated; e.g. 5.88e23).")
    var flops: [String] = []

    @Flag(help: "Show how the optimum moves under raw MSE, log MSE, Huber and the asymmetric objective.")
    var objectives = false

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            try intervals.check()
            let budgets = try quantities(flops, flag: "--flops")
            guard !budgets.isEmpty else { throw CLIError(message: "--flops: give the FLOP budget, e.g. --flops 5.88e23") }
            let result = try source.fittedLaw()
            let optima = try budgets.map { try result.computeOptimum(flops: $0) }
            if objectives {
                let fits = try ObjectiveComparison.fits(of: result, options: try source.law.fitOptions())
                let all = try fits.map { fit in try budgets.map { try fit.computeOptimum(flops: $0) } }
                switch format {
                case .json: try printJSON(ObjectivesReport(fits: fits, predictions: nil, optima: all))
                case .text: print(Report.objectives(fits, targets: nil, flops: all))
                }
                return
            }
            let uncertainty = try intervals.uncertainty(of: result)
            let estimates = try budgets.map { try uncertainty?.computeOptimum(flops: $0) }
            let records = zip(optima, estimates).map { o, e in
                OptimumRecord(optimum: o, intervals: e?.mapValues(\.interval), uncertainty: uncertainty.map(UncertaintyRecord.init))
            }
            switch format {
            case .json:
                if records.count == 1 { try printJSON(records[0]) } else { try printJSON(OptimaReport(optima: records)) }
            case .text:
                print(Report.optima(result, optima, estimates: estimates, uncertainty: uncertainty, source: source.origin))
            }
        }
    }
}
