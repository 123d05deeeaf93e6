import Foundation

/// The forecast-error term of a calibrated interval: how wrong the law itself turns out to be when it
/// extrapolates, measured by rolling-origin backtests inside the data the forecast comes from.
///
/// Parameter uncertainty (sandwich or bootstrap) and the runs' scatter assume the law is right. Real
/// extrapolations are dominated by the law being slightly wrong (a learning-rate decay the curve does
/// not model, a law that bends), so intervals built from those terms alone cover far less than they say.
/// The calibrated interval adds a term that grows with the log of the extrapolation ratio r (the target
/// over the largest fitted value along the axis of extrapolation):
///
///     Var(ln L − ln L̂) = λ·s² + κ²·ln²(r)
///
/// where s is the plain new-run standard deviation on the log scale (parameters and run scatter), λ ≥ 1
/// how much that plain variance is understated, and κ the misspecification rate. Both are estimated from the user's own data: the law is refitted on the
/// data up to each of several earlier origins and forecasts the rest of the data, each forecast j giving
/// its ratio r_j, log-error e_j and plain s_j. A least-squares fit with non-negative coefficients of
///
///     e_j² = λ·s_j² + κ̂²·ln²(r_j),   λ ≥ 1, κ̂² ≥ 0
///
/// measures how much the plain variance is too small where the law does not extrapolate (λ) and how
/// fast the error grows with the extrapolation (κ̂). The m origins are pooled with a prior κ₀ calibrated
/// on public completed runs, worth ν₀ origins, as a scaled inverse-χ² posterior:
///
///     κ² = (ν₀·κ₀² + m·κ̂²) / (ν₀ + m)
///
/// and the interval is L̂·exp(± t_ν · √(λ·s² + κ²·ln² r)), with Student's t at the Welch–Satterthwaite
/// degrees of freedom ν of the two terms (n − p for s², ν₀ + m for κ²), because κ² rests on few
/// origins. Where the data allow no inner backtest (too few points or runs before the forecast's
/// origin), κ = κ₀ with ν₀ degrees of freedom, and ``notes`` says so.
///
/// The priors and how they were measured are in ``Prior``; the calibration script is
/// `Examples/scripts/interval-calibration.sh`.
public struct ForecastCalibration: Sendable, Hashable {
    /// A prior misspecification rate, calibrated on public completed runs.
    public struct Prior: Sendable, Hashable {
        /// κ₀: the misspecification rate measured on the calibration forecasts.
        public var kappa: Double
        /// ν₀: how many inner-backtest origins the prior is worth.
        public var weight: Double
        /// The calibration data and procedure, in a sentence.
        public var source: String
        /// The largest extrapolation ratio among the calibration forecasts: beyond it the term is an
        /// extrapolation itself.
        public var calibratedUpTo: Double

        /// A prior of rate `kappa` worth `weight` origins, measured on forecasts up to `calibratedUpTo`.
        public init(kappa: Double, weight: Double, source: String, calibratedUpTo: Double) {
            self.kappa = kappa
            self.weight = weight
            self.source = source
            self.calibratedUpTo = calibratedUpTo
        }

        /// Partial-run learning curves, schedule-blind (L = E + A·t^−α on tokens): κ₀ = 0.026, ν₀ = 2.
        ///
        /// Measured on the nine real 25M-parameter runs of Luo et al. 2025 (thu-yao-01-luo/MultiPowerLaw,
        /// `Examples/data/multipower_25m.csv`): each run's last logged loss forecast from its first 20%, 30%
        /// and 50%, 27 forecasts with ratios 2–5; κ₀ is κ̂ of the error model fitted to those 27 forecasts.
        /// Most real runs decay their learning rate late, which a prefix cannot show, hence the prior's
        /// weight of two origins.
        public static let learningCurve = Prior(
            kappa: 0.026, weight: 2,
            source: "27 schedule-blind forecasts of the 25M runs of Luo et al. 2025 from 20-50% of each run",
            calibratedUpTo: 5.07)

        /// Ladders of final losses (laws in N, D or C): κ₀ = 0.0094, ν₀ = 0.5.
        ///
        /// Measured on the 240 Chinchilla runs (Hoffmann et al. 2022, Figure 4, as extracted by Besiroglu
        /// et al. 2024): the three published backtest splits (train on flops ≤ 5.59e20, on params ≤ their
        /// 80th percentile, on flops < 1e21), Chinchilla's law under its default objective; κ₀ is κ̂ of the
        /// error model fitted to the 119 held-out runs of the three splits. Inner backtests of a
        /// ladder extrapolate the way its forecasts do (to larger runs), so they get the larger say: the
        /// prior is worth half an origin.
        public static let ladder = Prior(
            kappa: 0.0094, weight: 0.5,
            source: "the three published backtest splits of the 240 Chinchilla runs",
            calibratedUpTo: 23.2)
    }

    /// One forecast of an inner backtest.
    public struct Sample: Sendable, Hashable {
        /// Which refit (origin) made it.
        public var origin: Int
        /// Its extrapolation ratio: the forecast point over the origin's largest fitted value.
        public var ratio: Double
        /// ln(actual) − ln(predicted).
        public var logError: Double
        /// The plain new-run standard deviation on the log scale.
        public var plainSD: Double

        /// A forecast of origin `origin` at `ratio` with log-error `logError` and plain log-scale sd `plainSD`.
        public init(origin: Int, ratio: Double, logError: Double, plainSD: Double) {
            self.origin = origin
            self.ratio = ratio
            self.logError = logError
            self.plainSD = plainSD
        }
    }

    /// The axis extrapolation is measured along (`tokens` for a curve, `flops`, `params`, … for a ladder).
    public let axis: String
    /// The inner-backtest forecasts.
    public let samples: [Sample]
    /// Number of inner refits that produced forecasts (m).
    public let origins: Int
    /// The prior pooled with them.
    public let prior: Prior
    /// The pooled misspecification rate κ.
    public let kappa: Double
    /// κ estimated from the inner backtests alone (nil without any).
    public let dataKappa: Double?
    /// λ ≥ 1: how much the inner backtests' errors exceed the plain new-run variance where the law does
    /// not extrapolate (the runs' scatter estimated in the fit is often too small); the calibrated
    /// variance is λ·s² + κ²·ln² r.
    public let scatterInflation: Double
    /// Degrees of freedom of the t quantile: ν₀ + m.
    public let degreesOfFreedom: Double
    /// Largest ratio an inner backtest reached.
    public let largestInnerRatio: Double
    /// What a reader should know (no inner backtest possible, …).
    public let notes: [String]

    /// Pools inner-backtest forecasts with `prior`.
    public init(axis: String, samples: [Sample], prior: Prior, notes: [String] = []) {
        self.axis = axis
        self.samples = samples
        self.prior = prior
        let usable = samples.filter { $0.logError.isFinite && $0.plainSD.isFinite && $0.ratio > 0 }
        let fitted = Self.fitErrorModel(usable)
        let m = Double(Set(usable.map(\.origin)).count)
        origins = Int(m)
        scatterInflation = fitted?.inflation ?? 1
        dataKappa = fitted.map { $0.kappaSquared.squareRoot() }
        let pooled = (prior.weight * prior.kappa * prior.kappa + m * (fitted?.kappaSquared ?? 0)) / (prior.weight + m)
        kappa = pooled.squareRoot()
        degreesOfFreedom = prior.weight + m
        largestInnerRatio = samples.map(\.ratio).max() ?? 1
        var notes = notes
        if fitted == nil {
            notes.append("too few data before any earlier origin for an inner backtest: the forecast-error term is the prior (κ = \(String(format: "%.3g", prior.kappa)), from \(prior.source))")
        }
        self.notes = notes
    }

    /// Least squares of e² − s² on s² and ln² r with non-negative coefficients: (λ − 1, κ²). Nil without
    /// samples.
    static func fitErrorModel(_ samples: [Sample]) -> (inflation: Double, kappaSquared: Double)? {
        guard !samples.isEmpty else { return nil }
        var a11 = 0.0, a12 = 0.0, a22 = 0.0, b1 = 0.0, b2 = 0.0
        for s in samples {
            let x1 = s.plainSD * s.plainSD
            let l = s.ratio > 1 ? log(s.ratio) : 0
            let x2 = l * l
            let y = s.logError * s.logError - x1
            a11 += x1 * x1; a12 += x1 * x2; a22 += x2 * x2
            b1 += x1 * y; b2 += x2 * y
        }
        // Candidates: both coefficients free, one at zero, both at zero; keep the best feasible.
        func residual(_ u: Double, _ v: Double) -> Double { u * u * a11 + 2 * u * v * a12 + v * v * a22 - 2 * u * b1 - 2 * v * b2 }
        var candidates: [(Double, Double)] = [(0, 0)]
        if a11 > 0 { candidates.append((max(0, b1 / a11), 0)) }
        if a22 > 0 { candidates.append((0, max(0, b2 / a22))) }
        let det = a11 * a22 - a12 * a12
        if det > 1e-12 * a11 * a22 {
            let u = (b1 * a22 - b2 * a12) / det, v = (a11 * b2 - a12 * b1) / det
            if u >= 0 && v >= 0 { candidates.append((u, v)) }
        }
        let best = candidates.min { residual($0.0, $0.1) < residual($1.0, $1.1) }!
        return (1 + best.0, best.1)
    }

    /// The largest ratio at which forecast errors were measured, in the user's inner backtests or in the
    /// prior's calibration data: beyond it the interval is itself an extrapolation.
    public var measuredUpTo: Double { max(largestInnerRatio, prior.calibratedUpTo) }

    /// The misspecification standard deviation at extrapolation ratio `ratio` (0 at or below 1).
    public func standardDeviation(ratio: Double) -> Double {
        ratio > 1 ? kappa * log(ratio) : 0
    }

    /// The calibrated interval at `level` for a positive forecast `value` whose plain new-run log-scale
    /// standard deviation is `plainSD`, made at extrapolation ratio `ratio`.
    ///
    /// The quantile is Student's t with the Welch–Satterthwaite degrees of freedom of the two variance
    /// terms: `plainDegreesOfFreedom` (n − p of the fit) for s², ``degreesOfFreedom`` for κ²·ln² r.
    public func interval(value: Double, plainSD: Double, ratio: Double, level: Double,
                         plainDegreesOfFreedom: Double = .infinity) -> Interval {
        let m2 = pow(standardDeviation(ratio: ratio), 2)
        let s2 = scatterInflation * plainSD * plainSD
        let sd = (s2 + m2).squareRoot()
        let denominator = s2 * s2 / plainDegreesOfFreedom + m2 * m2 / degreesOfFreedom
        let dof = denominator > 0 ? (s2 + m2) * (s2 + m2) / denominator : .infinity
        let q = Quantiles.studentT((1 + level) / 2, degreesOfFreedom: dof)
        return Interval(value * exp(-q * sd), value * exp(q * sd))
    }
}

extension FitResult {
    /// The axis a ladder's forecasts extrapolate along: compute when every fitted run has it (given, or
    /// from N and D by C = k·N·D), else the law's first variable.
    public var extrapolationAxis: String {
        // (Run by run from the store: no array of a million checkpoints.)
        if !trainingSet.isEmpty, trainingSet.allSatisfy({ ($0.completed(flopsPerParamToken: flopsPerParamToken).flops ?? 0) > 0 }) {
            return Variable.flops
        }
        return law.variables[0]
    }

    /// The largest value of `variable` among the fitted runs.
    ///
    /// - Throws: ``ScalingLawsError/unsupported(_:)`` when the fit holds no runs with that variable.
    public func largestFitted(_ variable: String) throws(ScalingLawsError) -> Double {
        var largest: Double? = nil
        for run in trainingSet {
            if let v = run.completed(flopsPerParamToken: flopsPerParamToken).value(of: variable), v.isFinite, v > 0 {
                largest = max(largest ?? v, v)
            }
        }
        guard let top = largest else {
            throw .unsupported("no fitted run has a value of \(variable) to measure an extrapolation against")
        }
        return top
    }

    /// The options this fit was made with, to refit it on other runs.
    var refitOptions: FitOptions {
        var o = FitOptions(objective: objective)
        o.constraints = layoutConstraints
        o.flopsPerParamToken = flopsPerParamToken
        return o
    }

    /// Calibrates the forecast-error term of this ladder fit by rolling-origin backtests inside its runs
    /// (``ForecastCalibration``): the law is refitted on the runs up to the 50th, 60th, 70th and 80th
    /// percentile of `axis` and forecasts the runs above; origins with too few runs to fit (fewer than
    /// the free parameters plus two) are skipped.
    ///
    /// - Parameters:
    ///   - axis: the variable extrapolated along (default ``extrapolationAxis``).
    ///   - prior: the prior pooled with the inner backtests.
    /// - Throws: ``ScalingLawsError/unsupported(_:)`` when the fit holds no runs.
    public func forecastCalibration(axis: String? = nil, prior: ForecastCalibration.Prior = .ladder) throws(ScalingLawsError) -> ForecastCalibration {
        guard !trainingSet.isEmpty else {
            throw .unsupported("a calibrated interval needs the runs the law was fitted to: fit from the CSV file (a saved fit or given parameters carry no data)")
        }
        let axis = axis ?? extrapolationAxis
        var runs = trainingRuns
        for i in runs.indices where runs[i].lacksOneOfNDC { runs[i] = runs[i].completed(flopsPerParamToken: flopsPerParamToken) }
        let values = runs.map { $0.value(of: axis) ?? .nan }
        guard values.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw .unsupported("every fitted run needs a positive \(axis) to calibrate forecasts along it")
        }
        let free = law.parameters.count - fixed.count
        var cuts = [Double]()
        for q in [0.5, 0.6, 0.7, 0.8] {
            let cut = Quantiles.percentile(values, q)
            if !cuts.contains(cut) { cuts.append(cut) }
        }
        var samples = [ForecastCalibration.Sample]()
        var origin = 0
        let options = refitOptions
        for cut in cuts {
            let train = runs.indices.filter { values[$0] <= cut }
            let test = runs.indices.filter { values[$0] > cut }
            guard train.count >= free + 2, !test.isEmpty else { continue }
            guard let inner = try? law.fit(train.map { runs[$0] }, options: options),
                  let uncertainty = try? inner.asymptoticUncertainty(level: 0.95),
                  let predictions = try? uncertainty.predictions(test.map { runs[$0] }) else { continue }
            let reach = train.map { values[$0] }.max()!
            for (k, i) in test.enumerated() {
                guard let actual = runs[i].loss, actual > 0, predictions[k].value > 0 else { continue }
                samples.append(.init(origin: origin, ratio: values[i] / reach,
                                     logError: log(actual) - log(predictions[k].value), plainSD: predictions[k].runLogSD))
            }
            origin += 1
        }
        return ForecastCalibration(axis: axis, samples: samples, prior: prior)
    }
}

/// How far a forecast's target lies beyond the fitted data along one variable.
public struct Extrapolation: Sendable, Hashable, Codable {
    /// The variable (`flops`, `params`, `tokens`, or another variable of the law).
    public var variable: String
    /// The target's value over the largest fitted value (1.0 at the edge of the data, below 1 inside it).
    public var ratio: Double

    /// The target is `ratio` times the largest fitted value of `variable`.
    public init(variable: String, ratio: Double) {
        self.variable = variable
        self.ratio = ratio
    }
}

extension FitResult {
    /// The largest ratio of a target to the fitted data that a forecast accepts (along any variable).
    public static let largestExtrapolation = 1e6

    /// How far `target` lies beyond the fitted runs along compute, params, tokens and the law's other
    /// variables (those both the target and the fitted runs have).
    public func extrapolation(to target: Run) -> [Extrapolation] {
        let run = target.completed(flopsPerParamToken: flopsPerParamToken)
        var names = Variable.standard
        for v in law.variables where !names.contains(v) { names.append(v) }
        return names.compactMap { v in
            guard let x = run.value(of: v), let top = try? largestFitted(v) else { return nil }
            return Extrapolation(variable: v, ratio: x / top)
        }
    }

    /// Refuses targets that make no physical sense: a non-positive or non-finite value, or one more than
    /// ``largestExtrapolation`` times the fitted data along a variable.
    ///
    /// - Throws: ``ScalingLawsError/invalidRun(index:message:)`` naming the target and the variable.
    public func validateTargets(_ targets: [Run]) throws(ScalingLawsError) {
        for (i, target) in targets.enumerated() {
            let run = target.completed(flopsPerParamToken: flopsPerParamToken)
            for v in Variable.standard + law.variables {
                guard let x = run.value(of: v) else { continue }
                guard x.isFinite, x > 0 else {
                    throw .invalidRun(index: i, message: "\(v) must be a positive number, got \(x)")
                }
            }
            for e in extrapolation(to: target) where e.ratio > Self.largestExtrapolation {
                throw .invalidRun(index: i, message: "\(e.variable) is \(formatQuantity(e.ratio))× the largest fitted value; no scaling law extrapolates beyond \(formatQuantity(Self.largestExtrapolation))×")
            }
        }
    }

    /// Forecasts of `targets` with every interval: the law's, a new run's, and the calibrated interval
    /// whose forecast-error term comes from rolling-origin backtests inside the fitted runs
    /// (``forecastCalibration(axis:prior:)``), with each target's extrapolation ratio along that axis.
    ///
    /// - Throws: ``ScalingLawsError`` for targets that make no physical sense
    ///   (``validateTargets(_:)``), a fit without runs, or a target lacking a variable of the law.
    public func forecasts(_ targets: [Run], level: Double = 0.95) throws(ScalingLawsError) -> [Uncertainty.Prediction] {
        try validateTargets(targets)
        let uncertainty = try asymptoticUncertainty(level: level)
        return try uncertainty.predictions(targets, calibration: try forecastCalibration())
    }
}
