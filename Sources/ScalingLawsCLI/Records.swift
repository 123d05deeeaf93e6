import Foundation
import ScalingLaws

/// An optional JSON value written as `null` when absent, where a reader expects the key to be there
/// (synthesized coding leaves a nil optional out). Keys are the property names in snake_case
/// (``JSON/encode(_:)``).
@propertyWrapper
struct NullWhenAbsent<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let wrappedValue { try c.encode(wrappedValue) } else { try c.encodeNil() }
    }
}

/// How intervals were made, as printed in JSON.
struct UncertaintyRecord: Encodable {
    var method: String
    var level: Double
    var replicates: Int?
    var failedReplicates: Int?
    var seed: UInt64?
    /// Independent groups the asymptotic covariance was clustered on (absent: rows taken as independent).
    var clusters: Int?
    var residualScale: Double
    var definition: String

    init(_ u: Uncertainty) {
        method = u.method.rawValue
        level = u.level
        residualScale = u.residualScale
        switch u.method {
        case .asymptotic:
            if let groups = u.clusters {
                clusters = groups
                definition = "M-estimator covariance from the Jacobian at the optimum, clustered by group (cluster-robust jackknife sandwich over \(groups) runs or groups taken as independent: errors within one may be correlated); Student's t with \(groups - 1) degrees of freedom; delta method for derived numbers"
            } else {
                definition = "M-estimator covariance from the Jacobian at the optimum (Huber's sandwich); delta method for derived numbers; assumes independent errors"
            }
        case .bootstrap:
            replicates = u.replicates
            failedReplicates = u.failedReplicates
            seed = u.seed
            definition = "percentile intervals over refits of runs resampled with replacement (whole groups when a group column is present)"
        }
    }
}

/// `scaling fit` JSON: the keys intervals add to the saved-fit record (none without intervals), written
/// with the record by ``printJSON(_:adding:)``.
struct FitOutput: Encodable {
    var uncertainty: Uncertainty?

    /// The keys intervals add to the record.
    private struct IntervalFields: Encodable {
        var intervals: [String: Interval]
        var standardErrors: [String: Double]
        var derived: [String: Double]
        var correlations: [String: [String: Double]]
        var warnings: [String]
        var uncertainty: UncertaintyRecord
    }

    func encode(to encoder: any Encoder) throws {
        guard let u = uncertainty else { return }
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
        try IntervalFields(intervals: intervals, standardErrors: errors, derived: derived, correlations: correlations,
                           warnings: u.warnings, uncertainty: UncertaintyRecord(u)).encode(to: encoder)
    }
}

/// One prediction in JSON.
struct PredictionRecord: Encodable {
    var params: Double?
    var tokens: Double?
    var flops: Double?
    /// The variable of a one-variable law on another column (`--at`), or unique tokens.
    var values: [String: Double]?
    var loss: Double
    var lawInterval: Interval?
    var newRunInterval: Interval?
    var calibratedInterval: Interval?
    var extrapolation: ExtrapolationRecord?
}

/// How far a target lies beyond the fitted data: its value over the largest fitted value, per variable.
struct ExtrapolationRecord: Encodable {
    var ratios: [String: Double]

    init(_ e: [Extrapolation]) {
        ratios = Dictionary(e.map { ($0.variable, $0.ratio) }, uniquingKeysWith: { a, _ in a })
    }

    /// The ratios keyed by variable name as it is (a single value: the snake_case key strategy does not apply).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(ratios)
    }
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
    var flops: Double
    @NullWhenAbsent var params: Double?
    @NullWhenAbsent var tokens: Double?
    @NullWhenAbsent var tokensPerParam: Double?
    var loss: Double
    var intervals: [String: Interval]?
    var uncertainty: UncertaintyRecord?
    var calibratedLossInterval: Interval?
    var extrapolation: ExtrapolationRecord?

    init(optimum: ComputeOptimum, intervals: [String: Interval]? = nil, uncertainty: UncertaintyRecord? = nil,
         calibratedLossInterval: Interval? = nil, extrapolation: ExtrapolationRecord? = nil) {
        flops = optimum.flops
        params = optimum.params
        tokens = optimum.tokens
        tokensPerParam = optimum.tokensPerParam
        loss = optimum.loss
        self.intervals = intervals
        self.uncertainty = uncertainty
        self.calibratedLossInterval = calibratedLossInterval
        self.extrapolation = extrapolation
    }

    init(_ optimum: ComputeOptimum) { self.init(optimum: optimum) }
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
