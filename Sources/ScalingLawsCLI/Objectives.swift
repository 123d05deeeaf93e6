import ScalingLaws

/// `--objectives`: the same law refitted under the standard set of objectives.
enum ObjectiveComparison {
    static func fits(of fit: FitResult, options: FitOptions) throws -> [FitResult] {
        guard !fit.trainingSet.isEmpty else {
            throw CLIError(message: "--objectives refits the runs: give a CSV file or a fit saved with its runs, not only --fix")
        }
        var o = options
        o.fixed = fit.fixedValuesByName
        o.flopsPerParamToken = fit.flopsPerParamToken
        let set = Objective.sensitivitySet(delta: options.objective.loss == .huber ? options.objective.delta : 1e-3,
                                           tau: options.objective.tau)
        return try fit.law.fitUnderObjectives(fit.trainingRuns, objectives: set, options: o)
    }
}

/// `--objectives` JSON: one entry per objective.
struct ObjectivesReport: Encodable {
    var fits: [FitResult]
    var predictions: [[Double]]?
    var optima: [[ComputeOptimum]]?

    struct Entry: Encodable {
        var objective: FitRecord.ObjectiveRecord
        var parameters: [String: Double]
        var predictions: [Double]?
        var optima: [OptimumRecord]?
    }

    private struct Entries: Encodable {
        var objectives: [Entry]
        var reference = "huber(delta)/log, the default objective; changes in text output are relative to it"
    }

    func encode(to encoder: any Encoder) throws {
        let entries = fits.enumerated().map { i, f in
            Entry(objective: f.recordWithoutTrainingRuns.objective, parameters: f.parameterValues, predictions: predictions?[i],
                  optima: optima?[i].map { OptimumRecord(optimum: $0, intervals: nil, uncertainty: nil) })
        }
        try Entries(objectives: entries).encode(to: encoder)
    }
}
