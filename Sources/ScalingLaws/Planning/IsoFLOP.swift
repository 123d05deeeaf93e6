import Foundation

/// How to run an isoFLOP analysis.
public struct IsoFLOPOptions: Sendable, Hashable {
    /// How each budget's minimum is found (default: the window parabola, which measured best over
    /// noise levels and samplings; see the "IsoFLOP minima" article).
    public var minimum: IsoFLOPProfile.Method = .window
    /// A run variable naming each run's budget (e.g. `budget`); nil clusters runs by C instead.
    public var budgetColumn: String? = nil
    /// Largest gap in ln C inside one budget when clustering (0.1 ≈ 10%).
    public var budgetTolerance: Double = 0.1
    /// k in C = k·N·D, for D* = C/(k·N*) and for deriving a missing N, D or C.
    public var flopsPerParamToken: Double = 6
    /// Bootstrap replicates: runs resampled within budgets, or with ``noise`` losses perturbed (nil: no
    /// bootstrap, intervals from the regression of ln N* on ln C; with ``noise``, nil means 1000).
    public var bootstrapReplicates: Int? = nil
    /// Seed-to-seed noise of the loss in ln L (e.g. 0.005): the noise bootstrap perturbs every run's
    /// ln L by this much, gives SE(ln N*) per budget, weights the exponent fit by 1/SE² and gives the
    /// intervals. Nil: no noise bootstrap.
    public var noise: Double? = nil
    /// Coverage of the intervals.
    public var level: Double = 0.95
    /// Seed of the resampling generator.
    public var seed: UInt64 = 1

    /// The defaults: window minima, clustering with tolerance 0.1 in ln C, k = 6, regression intervals at 95%.
    public init() {}
}

/// The compute-optimal point of one budget.
public struct BudgetOptimum: Sendable, Hashable {
    /// The budget C.
    public var flops: Double
    /// N*, the minimum of the budget's profile.
    public var params: Double
    /// D* = C/(k·N*).
    public var tokens: Double
    /// L*, the profile's loss at N*.
    public var loss: Double
    /// d²L/d(ln N)² at N*: how sharply the loss rises away from the optimum.
    public var curvature: Double
    /// Runs at this budget.
    public var runs: Int
    /// Smallest and largest N sampled.
    public var sampledParams: ClosedRange<Double>
    /// Standard error of ln N* from the noise bootstrap (nil without one).
    public var logParamsStandardError: Double? = nil
    /// The fitted profile for plots: N and the loss along it.
    public var curve: [(params: Double, loss: Double)] { zip(profile.curve, profile.curveLosses).map { (exp($0), $1) } }
    /// The profile's minimum as found.
    var profile: IsoFLOPProfile.Minimum
}

/// IsoFLOP analysis, Approach 2 of Hoffmann et al. 2022 (arXiv:2203.15556, §3.2), as used by Llama 3
/// (arXiv:2407.21783, §3.2.1), DeepSeek LLM (arXiv:2401.02954, §3) and Porian et al. 2024
/// (arXiv:2406.19146):
///
/// 1. runs are grouped by FLOP budget (a budget column, or clusters of C in log space);
/// 2. per budget, the minimum of the loss over ln N gives N*, D* = C/(k·N*) and L*
///    (``IsoFLOPProfile``, by default a parabola through a window around the lowest point); a budget without an interior minimum (too few
///    sizes, lowest loss at the edge of the sampled sizes) is skipped and listed with the reason;
/// 3. N*(C) = k_N·C^a and D*(C) = k_D·C^b are fitted by least squares of ln N* on ln C (``AllocationLaw``),
///    weighted by 1/SE(ln N*)² with the noise bootstrap; intervals from the bootstrap
///    (``AllocationBootstrap``) or, without one, from the regression (Student t with m − 2 degrees of freedom);
/// 4. L*(C) = E + A·C^(−α) is fitted as a ``SaturatingPowerLaw`` on the budgets' optima (with at least
///    four budgets).
///
/// With L = E + A/N^α + B/D^β, the exact optimum has a = β/(α+β) and b = α/(α+β) (Hoffmann et al., eq. 4).
public struct IsoFLOPAnalysis: Sendable {
    /// The settings used.
    public let options: IsoFLOPOptions
    /// Runs read.
    public let runs: Int
    /// The optimum of every accepted budget, by increasing C.
    public let budgets: [BudgetOptimum]
    /// Budgets without an interior minimum, left out, and why.
    public let skipped: [BudgetRefusal]
    /// N*(C) and D*(C).
    public let allocation: AllocationLaw
    /// The regression of ln N* on ln C behind ``allocation`` (weights, scatter, standard errors).
    public let regression: AllocationRegression
    /// L*(C) = E + A·C^(−α) fitted on the budgets' optima (nil with fewer than four budgets).
    public let lossLaw: FitResult?
    /// Bootstrap replicates (nil when none were asked for).
    public let bootstrap: AllocationBootstrap?

    /// Budgets needed for an exponent with a scatter estimate.
    public static let minimumBudgets = 3

    /// Runs the analysis.
    ///
    /// - Throws: ``ScalingLawsError/insufficientData(_:)`` with fewer than three budgets with an
    ///   interior minimum (naming each skipped budget and why), and errors for runs without N, C or
    ///   loss or for bad options.
    public init(runs raw: [Run], options: IsoFLOPOptions = IsoFLOPOptions()) throws(ScalingLawsError) {
        let k = options.flopsPerParamToken
        guard k > 0, k.isFinite else {
            throw .invalidOption(option: .flopsPerParamToken, message: "expected a positive number, got \(k)")
        }
        try Limits.checkLevel(options.level)
        if let b = options.bootstrapReplicates, b < 2 || b > Limits.maxReplicates {
            throw .invalidOption(option: .bootstrap, message: "expected 2 to \(Limits.maxReplicates) replicates (1000 is usual), got \(b)")
        }
        if let s = options.noise, !(s > 0 && s.isFinite) {
            throw .invalidOption(option: .noise, message: "expected a positive standard deviation of ln L such as 0.005, got \(s)")
        }
        var runs = [Run]()
        for (index, run) in raw.enumerated() {
            let r = run.completed(flopsPerParamToken: k)
            // With a budget column the budget is C; otherwise each run's C is clustered.
            let needed = [("params N", r.params), ("loss", r.loss)] + (options.budgetColumn == nil ? [("FLOPs C", r.flops)] : [])
            for (name, value) in needed {
                guard let value, value > 0, value.isFinite else {
                    throw .invalidRun(index: index, message: "an isoFLOP analysis needs a positive \(name) for every run")
                }
            }
            runs.append(r)
        }
        let groups: [BudgetGroup]
        if let column = options.budgetColumn {
            groups = try BudgetGrouping.byColumn(runs, column: column)
        } else {
            groups = try BudgetGrouping.byClustering(runs, tolerance: options.budgetTolerance)
        }

        let method = options.minimum
        var optima = [BudgetOptimum]()
        var skipped = [BudgetRefusal]()
        var accepted = [IsoFLOPBudgetData]()
        for group in groups {
            let x = group.runs.map { log($0.params!) }
            let y = group.runs.map { $0.loss! }
            let sampled = group.runs.map { $0.params! }.min()!...group.runs.map { $0.params! }.max()!
            switch IsoFLOPProfile.minimum(logParams: x, losses: y, method: method) {
            case let .success(m):
                let n = exp(m.logParams)
                optima.append(BudgetOptimum(flops: group.flops, params: n, tokens: group.flops / (k * n), loss: m.loss,
                                            curvature: m.curvature, runs: group.runs.count, sampledParams: sampled, profile: m))
                accepted.append(IsoFLOPBudgetData(flops: group.flops, logParams: x, losses: y))
            case let .failure(failure):
                skipped.append(BudgetRefusal(flops: group.flops, reason: failure.reason(method: method, sampled: sampled)))
            }
        }
        guard optima.count >= Self.minimumBudgets else {
            let reasons = skipped.isEmpty ? "" : "; skipped: " + skipped.map(\.description).joined(separator: "; ")
            throw .insufficientData("an isoFLOP fit needs at least \(Self.minimumBudgets) budgets with an interior minimum, found \(optima.count) of \(groups.count)\(reasons); add runs at more FLOP budgets")
        }

        // Noise bootstrap: SE(ln N*) per budget, then weights 1/SE².
        var weights = [Double](repeating: 1, count: optima.count)
        var noiseMinima: [[Double]?] = []
        if let sigma = options.noise {
            let replicates = options.bootstrapReplicates ?? 1000
            noiseMinima = AllocationBootstrap.noiseMinima(accepted, method: method, sigma: sigma, replicates: replicates, seed: options.seed)
            var standardErrors = [Double]()
            for i in optima.indices {
                let values = noiseMinima.compactMap { $0?[i] }.filter(\.isFinite)
                standardErrors.append(values.count >= 2 ? Quantiles.standardDeviation(values) : .nan)
            }
            let usable = standardErrors.filter { $0.isFinite && $0 > 0 }
            let floor = max(usable.min() ?? 1, 1e-9)
            for i in optima.indices {
                let se = standardErrors[i].isFinite && standardErrors[i] > 0 ? standardErrors[i] : floor
                optima[i].logParamsStandardError = standardErrors[i].isFinite ? standardErrors[i] : nil
                weights[i] = 1 / (se * se)
            }
        }

        self.options = options
        self.runs = runs.count
        self.budgets = optima
        self.skipped = skipped
        self.regression = try AllocationRegression(flops: optima.map(\.flops), params: optima.map(\.params), weights: weights)
        self.allocation = regression.allocation(flopsPerParamToken: k)
        self.lossLaw = try fitLossEnvelope(flops: optima.map(\.flops), losses: optima.map(\.loss), flopsPerParamToken: k)
        if options.noise != nil {
            self.bootstrap = AllocationBootstrap.fromNoise(noiseMinima, flops: optima.map(\.flops), weights: weights, flopsPerParamToken: k,
                                                           level: options.level, seed: options.seed)
        } else if let replicates = options.bootstrapReplicates {
            self.bootstrap = AllocationBootstrap.resample(accepted, method: method, flopsPerParamToken: k,
                                                          replicates: replicates, level: options.level, seed: options.seed)
        } else {
            self.bootstrap = nil
        }
    }

    /// Interval of the exponent a of N*(C): bootstrap percentiles, or the regression's t interval.
    public var paramsExponentInterval: Interval? { bootstrap?.paramsExponent ?? regression.exponentInterval(level: options.level) }
    /// Interval of k_N.
    public var paramsCoefficientInterval: Interval? { bootstrap?.paramsCoefficient ?? regression.paramsInterval(flops: 1, level: options.level) }
    /// Interval of the exponent b = 1 − a of D*(C).
    public var tokensExponentInterval: Interval? {
        bootstrap?.tokensExponent ?? regression.exponentInterval(level: options.level).map { Interval(1 - $0.high, 1 - $0.low) }
    }
    /// Interval of k_D = 1/(k·k_N).
    public var tokensCoefficientInterval: Interval? {
        bootstrap?.tokensCoefficient ?? paramsCoefficientInterval.map { Interval(1 / (options.flopsPerParamToken * $0.high), 1 / (options.flopsPerParamToken * $0.low)) }
    }
    /// Where the intervals come from, in words.
    public var intervalMethod: String {
        if let b = bootstrap {
            return b.kind == .noise
                ? "noise bootstrap: \(b.requested) replicates with ln L perturbed by σ = \(options.noise.map { String(format: "%g", $0) } ?? "?") (seed \(b.seed)), percentile intervals"
                : "bootstrap: \(b.requested) replicates resampling runs within budgets (seed \(b.seed)), percentile intervals"
        }
        return budgets.count > 2
            ? "regression of ln N* on ln C: Student t with \(budgets.count - 2) degree\(budgets.count == 3 ? "" : "s") of freedom from the budgets' scatter"
            : "none"
    }

    /// N*(C), D*(C) and L*(C) at `flops`, with intervals for N* and D* (bootstrap, or the regression's).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a non-positive budget.
    public func predict(flops: Double) throws(ScalingLawsError) -> AllocationPrediction {
        var p = try predictAllocation(allocation, lossLaw: lossLaw, bootstrap: bootstrap, flops: flops)
        if bootstrap == nil, let n = regression.paramsInterval(flops: flops, level: options.level) {
            p.paramsInterval = n
            let k = options.flopsPerParamToken
            p.tokensInterval = Interval(flops / (k * n.high), flops / (k * n.low))
        }
        return p
    }
}

/// One budget's runs as the bootstraps use them.
struct IsoFLOPBudgetData: Sendable {
    var flops: Double
    var logParams: [Double]
    var losses: [Double]
}

/// Weighted least squares of ln N* on ln C, ln N* = ln k_N + a·ln C, with the scatter of the budgets
/// about the line as the error scale (weights relative: 1 without the noise bootstrap, 1/SE(ln N*)² with).
public struct AllocationRegression: Sendable, Hashable {
    /// The exponent a.
    public let exponent: Double
    /// ln N* at the weighted mean of ln C.
    let centerValue: Double
    /// Weighted mean of ln C.
    let center: Double
    /// Σ w, Σ w·(ln C − centre)².
    let weightSum: Double, spread: Double
    /// Weighted residual variance Σ w·r² / (m − 2) (nil with two budgets).
    public let residualVariance: Double?
    /// Budgets in the fit.
    public let count: Int
    /// The weights used.
    public let weights: [Double]

    init(flops: [Double], params: [Double], weights: [Double]) throws(ScalingLawsError) {
        let x = flops.map { log($0) }, y = params.map { log($0) }
        let w = weights
        let sw = w.reduce(0, +)
        let cx = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 } / sw
        let cy = zip(w, y).reduce(0) { $0 + $1.0 * $1.1 } / sw
        var sxx = 0.0, sxy = 0.0
        for i in x.indices {
            sxx += w[i] * (x[i] - cx) * (x[i] - cx)
            sxy += w[i] * (x[i] - cx) * (y[i] - cy)
        }
        guard x.count >= 2, sxx > 1e-12 * sw, x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else {
            throw .insufficientData("N*(C): a power law needs at least two distinct budgets, found \(Set(flops).count)")
        }
        let slope = sxy / sxx
        exponent = slope
        center = cx
        centerValue = cy
        weightSum = sw
        spread = sxx
        count = x.count
        self.weights = w
        if x.count > 2 {
            let rss = x.indices.reduce(0.0) { acc, i in let r = y[i] - cy - slope * (x[i] - cx); return acc + w[i] * r * r }
            residualVariance = rss / Double(x.count - 2)
        } else {
            residualVariance = nil
        }
    }

    /// N*(C) and D*(C) = C/(k·N*).
    func allocation(flopsPerParamToken k: Double) -> AllocationLaw {
        let params = PowerLawFit(coefficient: exp(centerValue - exponent * center), exponent: exponent)
        return AllocationLaw(params: params, flopsPerParamToken: k)
    }

    /// Standard error of the exponent (nil with two budgets).
    public var exponentStandardError: Double? { residualVariance.map { ($0 / spread).squareRoot() } }

    /// The t interval of the exponent.
    func exponentInterval(level: Double) -> Interval? {
        guard let se = exponentStandardError else { return nil }
        let t = StudentT.quantile(twoSided: level, degreesOfFreedom: count - 2)
        return Interval(exponent - t * se, exponent + t * se)
    }

    /// The t interval of the fitted N*(C) at `flops` (of the law, not of one new budget's minimum).
    func paramsInterval(flops: Double, level: Double) -> Interval? {
        guard let s2 = residualVariance else { return nil }
        let u = log(flops) - center
        let sd = (s2 * (1 / weightSum + u * u / spread)).squareRoot()
        let t = StudentT.quantile(twoSided: level, degreesOfFreedom: count - 2)
        let value = centerValue + exponent * u
        return Interval(exp(value - t * sd), exp(value + t * sd))
    }
}

/// Student's t distribution for integer degrees of freedom.
enum StudentT {
    /// P(|T| ≤ t) for ν degrees of freedom, by the finite series of Abramowitz & Stegun 26.7.3–4.
    static func centralProbability(_ t: Double, degreesOfFreedom nu: Int) -> Double {
        let theta = atan(t / Double(nu).squareRoot())
        let c = cos(theta), s = sin(theta), c2 = c * c
        if nu % 2 == 1 {
            var sum = 0.0
            if nu > 1 {
                var term = c
                sum = c
                var j = 2
                while j <= nu - 3 {
                    term *= c2 * Double(j) / Double(j + 1)
                    sum += term
                    j += 2
                }
            }
            return 2 / Double.pi * (theta + s * sum)
        }
        var term = 1.0, sum = 1.0, j = 2
        while j <= nu - 2 {
            term *= c2 * Double(j - 1) / Double(j)
            sum += term
            j += 2
        }
        return s * sum
    }

    /// t with P(|T| ≤ t) = `level` (e.g. 12.706 for 0.95 with one degree of freedom), by bisection.
    static func quantile(twoSided level: Double, degreesOfFreedom nu: Int) -> Double {
        var lo = 0.0, hi = 1e7
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if centralProbability(mid, degreesOfFreedom: nu) < level { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}

/// L*(C) = E + A·C^(−α) fitted on compute-optimal points, or nil with fewer than four points (three
/// free parameters need four).
func fitLossEnvelope(flops: [Double], losses: [Double], flopsPerParamToken k: Double) throws(ScalingLawsError) -> FitResult? {
    guard flops.count >= 4 else { return nil }
    var options = FitOptions()
    options.flopsPerParamToken = k
    return try SaturatingPowerLaw(x: Variable.flops).fit(zip(flops, losses).map { Run(flops: $0, loss: $1) }, options: options)
}

/// What `allocation` (and `lossLaw`, `bootstrap`) predict at `flops`.
func predictAllocation(_ allocation: AllocationLaw, lossLaw: FitResult?, bootstrap: AllocationBootstrap?,
                       flops: Double) throws(ScalingLawsError) -> AllocationPrediction {
    guard flops > 0, flops.isFinite else {
        throw .invalidOption(option: .flops, message: "expected a positive FLOP budget, got \(flops)")
    }
    return AllocationPrediction(
        flops: flops, params: allocation.params(flops), tokens: allocation.tokens(flops),
        loss: try lossLaw?.predict([Run(flops: flops)])[0],
        paramsInterval: bootstrap?.interval { $0.params(flops) },
        tokensInterval: bootstrap?.interval { $0.tokens(flops) })
}
