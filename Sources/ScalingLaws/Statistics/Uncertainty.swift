import Foundation

/// The uncertainty of a fit: standard errors, intervals and correlations of its parameters, and the
/// means to carry them to any number computed from the parameters (predictions, compute-optimal
/// allocations, derived exponents).
///
/// Two methods produce it:
/// - ``FitResult/asymptoticUncertainty(level:clustered:)``: the M-estimator covariance from the Jacobian at the
///   optimum, carried to other quantities by the delta method. Fast; the default.
/// - ``FitResult/bootstrap(_:progress:)``: refits on resampled runs; percentile intervals.
public struct Uncertainty: Sendable {
    /// How intervals were computed.
    public enum Method: String, Sendable, Codable {
        /// M-estimator sandwich covariance and the delta method.
        case asymptotic
        /// Percentile intervals from refits of resampled runs.
        case bootstrap
    }

    /// How the uncertainty was estimated.
    public let method: Method
    /// Confidence level of the intervals (e.g. 0.95).
    public let level: Double
    /// The fit it describes.
    public let fit: FitResult
    /// Standard errors of the parameters in law order (0 for fixed parameters).
    public let standardErrors: [Double]
    /// Intervals of the parameters in law order (a point for fixed parameters).
    public let intervals: [Interval]
    /// Parameter correlations (law order; fixed parameters have zero rows and columns).
    public let correlations: Matrix
    /// Ridges, parameters at bounds, failed replicates: things a careful reader should know.
    public let warnings: [String]
    /// Scale of a new run's scatter about the law, in the objective's residual space: the residual
    /// standard deviation (`mse`), or 1.4826 × the median absolute deviation (robust losses).
    public let residualScale: Double
    /// Bootstrap replicates requested (0 for the asymptotic method).
    public let replicates: Int
    /// Bootstrap replicates whose refit failed and were dropped.
    public let failedReplicates: Int
    /// Seed of the bootstrap draws (nil for the asymptotic method).
    public let seed: UInt64?
    /// The number of independent groups the asymptotic covariance was clustered on (runs sharing a
    /// ``Run/group`` label count as one: the checkpoints of a run), or nil when every run was taken as
    /// independent. Intervals then use Student's t on `clusters − 1` degrees of freedom.
    public let clusters: Int?

    let engine: Engine

    enum Engine: Sendable {
        /// Covariance of the free solver variables u (ln θ for positive parameters), and the directions
        /// of u the data do not determine (unit vectors; empty for an identifiable fit).
        case asymptotic(covariance: Matrix, layout: ParameterLayout, u: [Double], nullSpace: [[Double]])
        /// Parameter vectors of the successful replicates.
        case bootstrap(replicates: [[Double]])
    }

    /// The two-sided quantile of the intervals: Student's t with n − p degrees of freedom for the
    /// asymptotic method (small samples; G − 1 when clustered on G groups), the normal Φ⁻¹((1 + level)/2) for the bootstrap's combination
    /// of its spread with the runs' scatter.
    public var z: Double { Quantiles.studentT((1 + level) / 2, degreesOfFreedom: plainDegreesOfFreedom) }

    /// Degrees of freedom of the plain intervals: n − p for the asymptotic method, ∞ (the normal) for
    /// the bootstrap's combination of its spread with the runs' scatter.
    public var plainDegreesOfFreedom: Double {
        switch engine {
        case let .asymptotic(_, layout, _, _):
            if let clusters { return Double(max(clusters - 1, 1)) }
            return Double(max(fit.runs - layout.free.count, 1))
        case .bootstrap: return .infinity
        }
    }

    /// The uncertainty of any number computed from the parameter vector.
    ///
    /// - Parameters:
    ///   - positive: build the interval on the log scale (for quantities that are positive by nature:
    ///     losses, sizes, token counts); the interval is then asymmetric about the value.
    ///   - f: the quantity as a function of the full parameter vector (law order); nil where undefined.
    public func estimate(positive: Bool, _ f: ([Double]) -> Double?) -> Estimate? {
        estimate(positive: positive, z: z, f)
    }

    /// ``estimate(positive:_:)`` with the quantile ``z`` computed once by the caller (a Student-t
    /// quantile costs a root search: per point of a 50,000-point curve it was most of `scaling curve`).
    func estimate(positive: Bool, z: Double, _ f: ([Double]) -> Double?) -> Estimate? {
        guard let value = f(fit.parameters), value.isFinite, !positive || value > 0 else { return nil }
        let transform: (Double) -> Double = positive ? { log($0) } : { $0 }
        let inverse: (Double) -> Double = positive ? { exp($0) } : { $0 }
        switch engine {
        case let .asymptotic(covariance, layout, u, nullSpace):
            let p = u.count
            var gradient = [Double](repeating: 0, count: p)
            for j in 0..<p {
                let h = 1e-6 * max(1, abs(u[j]))
                var up = u, down = u
                up[j] += h
                down[j] -= h
                guard let fu = f(layout.fullVector(free: up)), let fd = f(layout.fullVector(free: down)),
                      fu.isFinite, fd.isFinite, !positive || (fu > 0 && fd > 0) else { return nil }
                gradient[j] = (transform(fu) - transform(fd)) / (2 * h)
            }
            // A quantity that moves along a direction the data do not determine has no interval.
            let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for v in nullSpace where abs(zip(gradient, v).reduce(0) { $0 + $1.0 * $1.1 }) > 1e-6 * norm { return nil }
            var variance = 0.0
            for i in 0..<p { for j in 0..<p { variance += gradient[i] * covariance[i, j] * gradient[j] } }
            let sd = max(variance, 0).squareRoot()
            let center = transform(value)
            let interval = Interval(inverse(center - z * sd), inverse(center + z * sd))
            let se = positive ? value * sd : sd
            return Estimate(value: value, standardError: se, interval: interval, scaleStandardDeviation: sd)
        case let .bootstrap(replicates):
            let values = replicates.compactMap(f).filter { $0.isFinite && (!positive || $0 > 0) }
            guard values.count >= 2 else { return nil }
            let sorted = values.sorted()
            let q = (1 - level) / 2
            let interval = Interval(Quantiles.percentile(sorted: sorted, q), Quantiles.percentile(sorted: sorted, 1 - q))
            return Estimate(value: value, standardError: Quantiles.standardDeviation(values), interval: interval,
                            scaleStandardDeviation: Quantiles.standardDeviation(values.map(transform)))
        }
    }

    /// A prediction with the interval of the mean law and the wider interval for a new run.
    public struct Prediction: Sendable, Hashable {
        /// The predicted loss.
        public var value: Double
        /// Interval of the law itself (parameter uncertainty only).
        public var lawInterval: Interval
        /// Interval for the loss of one new run: parameter uncertainty plus the runs' scatter
        /// (``Uncertainty/residualScale``), combined in the objective's residual space.
        public var newRunInterval: Interval
        /// The new-run interval widened by the forecast-error term of a ``ForecastCalibration`` (nil when
        /// no calibration was given): the interval to trust for an extrapolation.
        public var calibratedInterval: Interval? = nil
        /// The target over the largest fitted value along the calibration's axis (nil without one).
        public var extrapolation: Double? = nil
        /// Standard deviation of ln(loss) of a new run, parameters and scatter (NaN where undefined).
        public var runLogSD: Double = .nan

        /// The law interval under its former name.
        @available(*, deprecated, renamed: "lawInterval")
        public var interval: Interval {
            get { lawInterval }
            set { lawInterval = newValue }
        }

        /// The new-run interval under its former name.
        @available(*, deprecated, renamed: "newRunInterval")
        public var runInterval: Interval {
            get { newRunInterval }
            set { newRunInterval = newValue }
        }
    }

    /// Predictions for `runs` with intervals.
    ///
    /// - Throws: ``ScalingLawsError/invalidRun(index:message:)`` if a run lacks a variable the law reads.
    public func predictions(_ runs: [Run]) throws(ScalingLawsError) -> [Prediction] {
        let inputs = try fit.inputs(for: runs)
        let positive = fit.objective.space == .log
        let z = self.z
        var out = [Prediction]()
        out.reserveCapacity(inputs.count)
        // Asymptotic intervals a block of points at a time: the law evaluated on the whole block at each
        // perturbed parameter vector (the same bits, row by row, as one point at a time; see
        // ``lawEstimates(_:positive:z:)``), not 2p + 1 evaluations of one point per prediction.
        let block = 8_192
        for lo in stride(from: 0, to: inputs.count, by: block) {
            let rows = lo..<min(inputs.count, lo + block)
            let points = rows.count == inputs.count ? inputs : inputs.rows(rows)
            let (values, estimates) = lawEstimates(points, positive: positive, z: z)
            for (value, e) in zip(values, estimates) {
                guard let e else {
                    out.append(Prediction(value: value, lawInterval: Interval(.nan, .nan), newRunInterval: Interval(.nan, .nan)))
                    continue
                }
                let sd = (e.scaleStandardDeviation * e.scaleStandardDeviation + residualScale * residualScale).squareRoot()
                let center = positive ? log(value) : value
                let run = positive ? Interval(exp(center - z * sd), exp(center + z * sd)) : Interval(center - z * sd, center + z * sd)
                // On the log scale: as is for log-space objectives, relative to the value otherwise.
                let logSD = positive ? sd : (value > 0 ? sd / value : .nan)
                out.append(Prediction(value: value, lawInterval: e.interval, newRunInterval: run, runLogSD: logSD))
            }
        }
        return out
    }

    /// The law's value at each of `points` and its ``estimate(positive:_:)``, computed together: for the
    /// asymptotic method the law is evaluated on all the points at once at the fitted parameters and at
    /// each perturbed parameter vector of the numerical gradient, which gives each point the same
    /// numbers as ``estimate(positive:z:_:)`` of that point alone (the law's value at a point does not
    /// depend on the other points); the bootstrap evaluates each replicate on all the points.
    func lawEstimates(_ points: Inputs, positive: Bool, z: Double) -> (values: [Double], estimates: [Estimate?]) {
        let law = fit.law
        let values = law.evaluate(fit.parameters, points)
        let n = points.count
        let transform: (Double) -> Double = positive ? { log($0) } : { $0 }
        let inverse: (Double) -> Double = positive ? { exp($0) } : { $0 }
        switch engine {
        case let .asymptotic(covariance, layout, u, nullSpace):
            let p = u.count
            var up = [[Double]](), down = [[Double]](), steps = [Double]()
            for j in 0..<p {
                let h = 1e-6 * max(1, abs(u[j]))
                var a = u, b = u
                a[j] += h
                b[j] -= h
                up.append(law.evaluate(layout.fullVector(free: a), points))
                down.append(law.evaluate(layout.fullVector(free: b), points))
                steps.append(h)
            }
            var estimates = [Estimate?]()
            estimates.reserveCapacity(n)
            var gradient = [Double](repeating: 0, count: p)
            point: for i in 0..<n {
                let value = values[i]
                guard value.isFinite, !positive || value > 0 else { estimates.append(nil); continue }
                for j in 0..<p {
                    let fu = up[j][i], fd = down[j][i]
                    guard fu.isFinite, fd.isFinite, !positive || (fu > 0 && fd > 0) else { estimates.append(nil); continue point }
                    gradient[j] = (transform(fu) - transform(fd)) / (2 * steps[j])
                }
                let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
                for v in nullSpace where abs(zip(gradient, v).reduce(0) { $0 + $1.0 * $1.1 }) > 1e-6 * norm {
                    estimates.append(nil)
                    continue point
                }
                var variance = 0.0
                for a in 0..<p { for b in 0..<p { variance += gradient[a] * covariance[a, b] * gradient[b] } }
                let sd = max(variance, 0).squareRoot()
                let center = transform(value)
                let interval = Interval(inverse(center - z * sd), inverse(center + z * sd))
                estimates.append(Estimate(value: value, standardError: positive ? value * sd : sd, interval: interval,
                                          scaleStandardDeviation: sd))
            }
            return (values, estimates)
        case let .bootstrap(replicates):
            let draws = replicates.map { law.evaluate($0, points) }
            let q = (1 - level) / 2
            let estimates: [Estimate?] = (0..<n).map { i in
                let value = values[i]
                guard value.isFinite, !positive || value > 0 else { return nil }
                let sample = draws.map { $0[i] }.filter { $0.isFinite && (!positive || $0 > 0) }
                guard sample.count >= 2 else { return nil }
                let sorted = sample.sorted()
                let interval = Interval(Quantiles.percentile(sorted: sorted, q), Quantiles.percentile(sorted: sorted, 1 - q))
                return Estimate(value: value, standardError: Quantiles.standardDeviation(sample), interval: interval,
                                scaleStandardDeviation: Quantiles.standardDeviation(sample.map(transform)))
            }
            return (values, estimates)
        }
    }

    /// Predictions for `runs` with intervals, including the calibrated interval of `calibration`, whose
    /// extrapolation ratio is each run's value of the calibration's axis over the largest fitted value.
    ///
    /// - Throws: ``ScalingLawsError/invalidRun(index:message:)`` if a run lacks a variable the law reads
    ///   or the calibration's axis.
    public func predictions(_ runs: [Run], calibration: ForecastCalibration) throws(ScalingLawsError) -> [Prediction] {
        var out = try predictions(runs)
        let reach = try fit.largestFitted(calibration.axis)
        for (i, raw) in runs.enumerated() {
            let run = raw.completed(flopsPerParamToken: fit.flopsPerParamToken)
            guard let x = run.value(of: calibration.axis), x > 0, x.isFinite else {
                throw .invalidRun(index: i, message: "the calibrated interval needs \(calibration.axis), which this run lacks")
            }
            let ratio = x / reach
            out[i].extrapolation = ratio
            if out[i].value > 0, out[i].runLogSD.isFinite {
                out[i].calibratedInterval = calibration.interval(value: out[i].value, plainSD: out[i].runLogSD,
                                                                 ratio: ratio, level: level, plainDegreesOfFreedom: plainDegreesOfFreedom)
            }
        }
        return out
    }

    /// Uncertainty of the compute-optimal allocation of `flops`: an estimate of each quantity the law
    /// defines (nil for one it does not, or one the fit does not determine). For the allocation with every
    /// field present and the calibrated loss interval, see ``FitResult/optimum(flops:level:)``.
    public func computeOptimum(flops: Double) throws(ScalingLawsError) -> ComputeOptimumEstimates {
        _ = try fit.computeOptimum(flops: flops)   // validates the budget and that the law supports it
        var out = ComputeOptimumEstimates(flops: flops)
        guard let law = fit.law as? any ComputeOptimalLaw else { return out }
        let k = fit.flopsPerParamToken
        func optimum(_ t: [Double]) -> ComputeOptimum? { try? law.computeOptimum(t, flops: flops, flopsPerParamToken: k) }
        out.params = estimate(positive: true) { optimum($0)?.params }
        out.tokens = estimate(positive: true) { optimum($0)?.tokens }
        out.tokensPerParam = estimate(positive: true) { optimum($0)?.tokensPerParam }
        out.loss = estimate(positive: true) { optimum($0)?.loss }
        return out
    }

    /// The interval of parameter `name` (``intervals`` holds them in law order).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` (``Setting/parameter``) naming the
    ///   law's parameters when it has none called `name`.
    public func interval(of name: String) throws(ScalingLawsError) -> Interval {
        intervals[try fit.index(of: name)]
    }

    /// The standard error of parameter `name` (0 for a fixed parameter).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` (``Setting/parameter``) for an unknown name.
    public func standardError(of name: String) throws(ScalingLawsError) -> Double {
        standardErrors[try fit.index(of: name)]
    }

    /// The parameters' intervals by name, in law order.
    public var parameterIntervals: [(parameter: String, interval: Interval)] {
        Array(zip(fit.law.parameterNames, intervals))
    }

    /// Uncertainty of the law's derived quantities (e.g. Chinchilla's a = β/(α+β), b = α/(α+β)).
    public var derived: [(quantity: DerivedQuantity, estimate: Estimate)] {
        let law = fit.law
        return law.derivedQuantities(fit.parameters).enumerated().compactMap { index, item in
            estimate(positive: false, { law.derivedQuantities($0)[index].value }).map { (item, $0) }
        }
    }
}

/// The uncertainty of a compute-optimal allocation (``Uncertainty/computeOptimum(flops:)``): an estimate
/// of each quantity the law defines, nil where it defines none or the fit does not determine it.
public struct ComputeOptimumEstimates: Sendable, Hashable {
    /// The budget C.
    public var flops: Double
    /// Optimal parameters N*.
    public var params: Estimate?
    /// Optimal tokens D*.
    public var tokens: Estimate?
    /// D*/N*.
    public var tokensPerParam: Estimate?
    /// The law's loss at the optimum (its interval: parameter uncertainty only).
    public var loss: Estimate?

    /// Estimates for the budget `flops`.
    public init(flops: Double, params: Estimate? = nil, tokens: Estimate? = nil, tokensPerParam: Estimate? = nil, loss: Estimate? = nil) {
        self.flops = flops
        self.params = params
        self.tokens = tokens
        self.tokensPerParam = tokensPerParam
        self.loss = loss
    }
}

extension ScalingLaw {
    public func derivedQuantities(_ theta: [Double]) -> [DerivedQuantity] { [] }
}
