import ArgumentParser
import Foundation
import ScalingLaws

struct Fit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",  // given: deriving it from the type name costs a conformance scan at start-up
        abstract: "Fit a scaling law to a CSV of runs, with intervals for every parameter.",
        discussion: HelpText.discussion(
            "Intervals are asymptotic (from the Jacobian at the optimum) unless --bootstrap asks for refits of resampled runs.",
            examples: [
                "scaling fit Examples/data/chinchilla_fig4_fitset.csv --law chinchilla",
                "scaling fit Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --bootstrap 200 --seed 7",
                "scaling fit Examples/data/chinchilla_fig4_fitset.csv --law saturating --x flops --format json",
                "scaling fit Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --objective mse --space log --save fit.json",
                "scaling fit Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --objectives",
                "scaling fit Examples/data/chinchilla_fig4_fitset.csv --formula 'E + A*N^-alpha + B*D^-alpha'",
                "scaling fit Examples/data/chinchilla_fig4_fitset.csv --law chinchilla --plot fit.svg",
                "scaling fit Examples/data/learning_curves_synthetic.csv --use checkpoints",
                "scaling fit Examples/data/bnsl_synthetic.csv --law bnsl --x steps",
            ]
        )
    )

    @Argument(help: "CSV file of runs: one row per run, columns found by name.")
    var file: String

    @OptionGroup var law: LawOptions
    @OptionGroup var columns: ColumnOptions<RunColumns>
    @OptionGroup var intervals: UncertaintyOptions

    @Flag(help: "Refit under raw MSE, log MSE, Huber and the asymmetric lower-envelope objective and compare.")
    var objectives = false

    @OptionGroup var formatting: OutputOptions

    @Option(help: "Also write the fit as JSON to this path (atomically), for predict/optimal --fit.")
    var save: String?

    @OptionGroup var plot: PlotOptions

    func run() throws {
        try reportingErrors {
            if let save { try AtomicFile.checkDestination(save, option: .fitFile, inputs: commandLineInputs()) }
            // One file for both outputs would keep only the image, written last.
            if let save, let image = plot.plot,
               URL(fileURLWithPath: save).standardizedFileURL.resolvingSymlinksInPath().path
                == URL(fileURLWithPath: image).standardizedFileURL.resolvingSymlinksInPath().path {
                throw CLIError(message: "--save and --plot name the same file \(save): the image would replace the saved fit; give two file names")
            }
            if objectives, save != nil || plot.plot != nil {
                throw CLIError(message: "--objectives compares several fits and writes none: drop \(save != nil ? "--save" : "--plot"), or run without --objectives to save or plot one fit")
            }
            let source = SourceOptions(file: file, fit: nil, law: law, columns: columns)
            let result = try source.fittedLaw()
            if objectives {
                let fits = try ObjectiveComparison.fits(of: result, options: try law.fitOptions(for: result.law))
                switch formatting.format {
                case .json: try printJSON(ObjectivesReport(fits: fits, predictions: nil, optima: nil))
                case .text: output(Report.objectives(fits, targets: nil, flops: nil))
                }
                return
            }
            let uncertainty = try intervals.uncertainty(of: result)
            if let save { try result.write(to: save, inputs: commandLineInputs()) }
            try plot.write {
                try LawPlot(fit: result, uncertainty: uncertainty, calibration: uncertainty == nil ? nil : try? result.forecastCalibration())
                    .render(title: "\(result.law.name) law fitted to \(result.runs) runs", subtitle: "\(result.law.formula)   (from \(file))")
            }
            switch formatting.format {
            case .json: try printJSON(result, adding: FitOutput(uncertainty: uncertainty))
            case .text: output(Report.fit(result, uncertainty: uncertainty, source: "from \(file)"))
            }
        }
    }
}

extension SourceOptions {
    init(file: String?, fit: String?, law: LawOptions, columns: ColumnOptions<RunColumns>) {
        self.init()
        self.file = file
        self.fit = fit
        self.law = law
        self.columns = columns
    }
}
