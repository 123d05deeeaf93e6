import ArgumentParser
import ScalingLaws

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a scaling law to a CSV of runs.",
        discussion: """
            Examples:
              scaling fit runs.csv --law chinchilla
              scaling fit runs.csv --law saturating --x flops --format json
              scaling fit runs.csv --law chinchilla --loss mse --space log --save fit.json
            """
    )

    @Argument(help: "CSV file of runs: one row per run, columns found by name.")
    var file: String

    @OptionGroup var law: LawOptions
    @OptionGroup var columns: ColumnOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Also write the fit as JSON to this path (atomically), for predict/optimal --fit.")
    var save: String?

    func run() throws {
        try reportingErrors {
            let source = SourceOptions(file: file, fit: nil, law: law, columns: columns)
            let result = try source.fittedLaw()
            if let save { try result.write(to: save) }
            switch format {
            case .json: try printJSON(result.record)
            case .text: print(Report.fit(result, source: "from \(file)"))
            }
        }
    }
}

extension SourceOptions {
    init(file: String?, fit: String?, law: LawOptions, columns: ColumnOptions) {
        self.init()
        self.file = file
        self.fit = fit
        self.law = law
        self.columns = columns
    }
}
