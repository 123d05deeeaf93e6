import Foundation
import ScalingLaws

/// How intervals were made, as printed in JSON.
struct UncertaintyRecord: Codable {
    var method: String
    var level: Double
    var replicates: Int?
    var failedReplicates: Int?
    var seed: UInt64?
    var residualScale: Double
    var definition: String

    enum CodingKeys: String, CodingKey {
        case method, level, replicates, seed, definition
        case failedReplicates = "failed_replicates"
        case residualScale = "residual_scale"
    }

    init(_ u: Uncertainty) {
        method = u.method.rawValue
        level = u.level
        residualScale = u.residualScale
        switch u.method {
        case .asymptotic:
            definition = "M-estimator covariance from the Jacobian at the optimum (Huber's sandwich); delta method for derived numbers; assumes independent errors"
        case .bootstrap:
            replicates = u.replicates
            failedReplicates = u.failedReplicates
            seed = u.seed
            definition = "percentile intervals over refits of runs resampled with replacement (whole groups when a group column is present)"
        }
    }
}

/// `scaling fit` JSON: the saved-fit record plus intervals.
struct FitOutput: Encodable {
    var record: FitRecord
    var uncertainty: Uncertainty?

    enum Keys: String, CodingKey {
        case intervals, derived, warnings, correlations, uncertainty
        case standardErrors = "standard_errors"
    }

    func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        guard let u = uncertainty else { return }
        var c = encoder.container(keyedBy: Keys.self)
        let names = u.fit.law.parameterNames
        var intervals = Dictionary(uniqueKeysWithValues: zip(names, u.intervals))
        var errors = Dictionary(uniqueKeysWithValues: zip(names, u.standardErrors))
        var derived = [String: Double]()
        for d in u.derived {
            derived[d.quantity.name] = d.estimate.value
            intervals[d.quantity.name] = d.estimate.interval
            errors[d.quantity.name] = d.estimate.standardError
        }
        var correlations = [String: [String: Double]]()
        for (i, a) in names.enumerated() where !u.fit.fixed.contains(a) {
            for (j, b) in names.enumerated() where !u.fit.fixed.contains(b) {
                correlations[a, default: [:]][b] = u.correlations[i, j]
            }
        }
        try c.encode(intervals, forKey: .intervals)
        try c.encode(errors, forKey: .standardErrors)
        try c.encode(derived, forKey: .derived)
        try c.encode(correlations, forKey: .correlations)
        try c.encode(u.warnings, forKey: .warnings)
        try c.encode(UncertaintyRecord(u), forKey: .uncertainty)
    }
}

/// One prediction in JSON.
struct PredictionRecord: Codable {
    var params: Double?
    var tokens: Double?
    var flops: Double?
    /// The variable of a one-variable law on another column (`--at`), or unique tokens.
    var values: [String: Double]?
    var loss: Double
    var interval: Interval?
    var runInterval: Interval?
    var calibratedInterval: Interval?
    var extrapolation: ExtrapolationRecord?

    enum CodingKeys: String, CodingKey {
        case params, tokens, flops, values, loss, interval, extrapolation
        case runInterval = "run_interval", calibratedInterval = "calibrated_interval"
    }
}

/// How far a target lies beyond the fitted data: its value over the largest fitted value, per variable.
struct ExtrapolationRecord: Codable {
    var ratios: [String: Double]

    init(_ e: [Extrapolation]) {
        ratios = Dictionary(e.map { ($0.variable, $0.ratio) }, uniquingKeysWith: { a, _ in a })
    }

    init(from decoder: any Decoder) throws { ratios = try [String: Double](from: decoder) }
    func encode(to encoder: any Encoder) throws { try ratios.encode(to: encoder) }
}

struct PredictReport: Encodable {
    var law: String
    var objective: FitRecord.ObjectiveRecord
    var parameters: [String: Double]
    var predictions: [PredictionRecord]
    var uncertainty: UncertaintyRecord?
    var calibration: CalibrationRecord?
}

/// One compute-optimal allocation in JSON.
struct OptimumRecord: Encodable {
    var optimum: ComputeOptimum
    var intervals: [String: Interval]?
    var uncertainty: UncertaintyRecord?
    var calibratedLossInterval: Interval?
    var extrapolation: ExtrapolationRecord?

    init(optimum: ComputeOptimum, intervals: [String: Interval]? = nil, uncertainty: UncertaintyRecord? = nil,
         calibratedLossInterval: Interval? = nil, extrapolation: ExtrapolationRecord? = nil) {
        self.optimum = optimum
        self.intervals = intervals
        self.uncertainty = uncertainty
        self.calibratedLossInterval = calibratedLossInterval
        self.extrapolation = extrapolation
    }

    init(_ optimum: ComputeOptimum) { self.init(optimum: optimum) }

    enum CodingKeys: String, CodingKey {
        case flops, params, tokens, loss, intervals, uncertainty, extrapolation
        case tokensPerParam = "tokens_per_param", calibratedLossInterval = "calibrated_loss_interval"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(optimum.flops, forKey: .flops)
        try c.encode(optimum.params, forKey: .params)
        try c.encode(optimum.tokens, forKey: .tokens)
        try c.encode(optimum.tokensPerParam, forKey: .tokensPerParam)
        try c.encode(optimum.loss, forKey: .loss)
        try c.encodeIfPresent(intervals, forKey: .intervals)
        try c.encodeIfPresent(uncertainty, forKey: .uncertainty)
        try c.encodeIfPresent(calibratedLossInterval, forKey: .calibratedLossInterval)
        try c.encodeIfPresent(extrapolation, forKey: .extrapolation)
    }
}

/// The forecast-error calibration behind a calibrated interval, in JSON.
struct CalibrationRecord: Encodable {
    var axis: String
    var kappa: Double
    var dataKappa: Double?
    var scatterInflation: Double
    var innerBacktests: Int
    var largestInnerRatio: Double
    var priorKappa: Double
    var priorWeight: Double
    var priorSource: String
    var degreesOfFreedom: Double
    var notes: [String]

    enum CodingKeys: String, CodingKey {
        case axis, kappa, notes
        case dataKappa = "data_kappa", scatterInflation = "scatter_inflation", innerBacktests = "inner_backtests", largestInnerRatio = "largest_inner_ratio"
        case priorKappa = "prior_kappa", priorWeight = "prior_weight", priorSource = "prior_source"
        case degreesOfFreedom = "degrees_of_freedom"
    }

    init(_ c: ForecastCalibration) {
        axis = c.axis
        kappa = c.kappa
        dataKappa = c.dataKappa
        scatterInflation = c.scatterInflation
        innerBacktests = c.origins
        largestInnerRatio = c.largestInnerRatio
        priorKappa = c.prior.kappa
        priorWeight = c.prior.weight
        priorSource = c.prior.source
        degreesOfFreedom = c.degreesOfFreedom
        notes = c.notes
    }
}
