import Foundation

/// How to run an isoFLOP analysis.
public struct IsoFLOPOptions: Sendable, Hashable {
    /// The polynomial in ln N fitted per budget.
    public var shape: IsoFLOPProfile.Shape = .parabola
    /// A run variable naming each run's budget (e.g. `budget`); nil clusters runs by C instead.
    public var budgetColumn: String? = nil
    /// Largest gap in ln C inside one budget when clustering (0.1 ≈ 10%).
    public var budgetTolerance: Double = 0.1
    /// k in C = k·N·D, for D* = C/(k·N*) and for deriving a missing N, D or C.
    public var flopsPerParamToken: Double = 6
    /// Bootstrap replicates for the intervals (0: none).
    public var bootstrapReplicates: Int = 1000
    /// Coverage of the percentile intervals.
    public var level: Double = 0.95
    /// Seed of the resampling generator.
    public var seed: UInt64 = 0
    /// Whether budgets without a usable minimum are left out (and listed) instead of stopping the analysis.
    public var skipRefused: Bool = false

    /// The defaults: parabolas, clustering with tolerance 0.1 in ln C, k = 6, 1000 bootstrap replicates at 95%.
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
}

/// IsoFLOP analysis, Approach 2 of Hoffmann et al. 2022 (arXiv:2203.15556, §3.2), as used by Llama 3
/// (arXiv:2407.21783, §3.2.1) and DeepSeek LLM (arXiv:2401.02954, §3):
///
/// 1. runs are grouped by FLOP budget (a budget column, or clusters of C in log space);
/// 2. per budget, the loss is fitted against ln N by a parabola (or cubic), whose minimum gives N*,
///    D* = C/(k·N*) and L* (``IsoFLOPProfile``); a budget with too few runs or a minimum outside its
///    sampled sizes is refused with the reason;
/// 3. N*(C) = k_N·C^a and D*(C) = k_D·C^b are fitted by log–log least squares (``AllocationLaw``), with
///    percentile intervals from resampling runs within budgets (``AllocationBootstrap``);
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
    /// Budgets left out with ``IsoFLOPOptions/skipRefused``, and why.
    public let refused: [BudgetRefusal]
    /// N*(C) and D*(C).
    public let allocation: AllocationLaw
    /// L*(C) = E + A·C^(−α) fitted on the budgets' optima (nil with fewer than four budgets).
    public let lossLaw: FitResult?
    /// Bootstrap replicates (nil when none were asked for).
    public let bootstrap: AllocationBootstrap?

    /// Runs the analysis.
    ///
    /// - Throws: ``ScalingLawsError/budgetsRefused(_:)`` naming each budget without a usable minimum
    ///   (unless ``IsoFLOPOptions/skipRefused``), ``ScalingLawsError/insufficientData(_:)`` with fewer
    ///   than two usable budgets, and errors for runs without N, C or loss or for bad options.
    public init(runs raw: [Run], options: IsoFLOPOptions = IsoFLOPOptions()) throws(ScalingLawsError) {
        let k = options.flopsPerParamToken
        guard k > 0, k.isFinite else {
            throw .invalidOption(option: "--flops-per-param-token", message: "expected a positive number, got \(k)")
        }
        try Limits.checkLevel(options.level)
        guard options.bootstrapReplicates >= 0, options.bootstrapReplicates <= Limits.maxReplicates else {
            throw .invalidOption(option: "--bootstrap", message: "expected 0 to \(Limits.maxReplicates) replicates, got \(options.bootstrapReplicates)")
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

        var optima = [BudgetOptimum]()
        var refusals = [BudgetRefusal]()
        var accepted = [(flops: Double, logParams: [Double], losses: [Double])]()
        for group in groups {
            let x = group.runs.map { log($0.params!) }
            let y = group.runs.map { $0.loss! }
            let sampled = group.runs.map { $0.params! }.min()!...group.runs.map { $0.params! }.max()!
            switch IsoFLOPProfile.minimum(logParams: x, losses: y, shape: options.shape) {
            case let .success(m):
                let n = exp(m.logParams)
                optima.append(BudgetOptimum(flops: group.flops, params: n, tokens: group.flops / (k * n), loss: m.loss,
                                            curvature: m.curvature, runs: group.runs.count, sampledParams: sampled))
                accepted.append((group.flops, x, y))
            case let .failure(failure):
                refusals.append(BudgetRefusal(flops: group.flops, reason: failure.reason(shape: options.shape, sampled: sampled)))
            }
        }
        if !refusals.isEmpty && !options.skipRefused { throw .budgetsRefused(refusals) }
        guard optima.count >= 2 else {
            throw .insufficientData("an isoFLOP fit needs at least 2 budgets with an optimum to fit N*(C) and D*(C), found \(optima.count) of \(groups.count) budgets\(refusals.isEmpty ? "" : " (\(refusals.count) refused)"); add runs at more FLOP budgets")
        }

        self.options = options
        self.runs = runs.count
        self.budgets = optima
        self.refused = refusals
        self.allocation = try AllocationLaw.fit(flops: optima.map(\.flops), params: optima.map(\.params), tokens: optima.map(\.tokens))
        self.lossLaw = try fitLossEnvelope(flops: optima.map(\.flops), losses: optima.map(\.loss), flopsPerParamToken: k)
        self.bootstrap = options.bootstrapReplicates == 0 ? nil
            : AllocationBootstrap.resample(accepted, shape: options.shape, flopsPerParamToken: k,
                                           replicates: options.bootstrapReplicates, level: options.level, seed: options.seed)
    }

    /// N*(C), D*(C) and L*(C) at `flops`, with bootstrap intervals for N* and D*.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a non-positive budget.
    public func predict(flops: Double) throws(ScalingLawsError) -> AllocationPrediction {
        try predictAllocation(allocation, lossLaw: lossLaw, bootstrap: bootstrap, flops: flops)
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
        throw .invalidOption(option: "--flops", message: "expected a positive FLOP budget, got \(flops)")
    }
    return AllocationPrediction(
        flops: flops, params: allocation.params(flops), tokens: allocation.tokens(flops),
        loss: try lossLaw?.predict([Run(flops: flops)])[0],
        paramsInterval: bootstrap?.interval { $0.params(flops) },
        tokensInterval: bootstrap?.interval { $0.tokens(flops) })
}
