import Foundation

/// A design question: a law at assumed parameter values, the noise of a run's loss about it, and the
/// target to forecast. It scores any set of runs by the interval the fit of those runs would give the
/// target.
///
/// **Score.** Fitting the law to runs xᵢ with independent noise of scale σ in the objective's residual
/// space, the estimate of the fitted variables u (ln θ for positive parameters) has the asymptotic
/// covariance σ²·κ·M⁻¹ with the Fisher information M = Σᵢ gᵢgᵢᵀ, gᵢ = ∂rᵢ/∂u the law's Jacobian row
/// (Seber & Wild 1989, §2.1; Atkinson, Donev & Tobias 2007, ch. 10). κ = E[ψ(ε)²]/E[ψ′(ε)]² with
/// ε ~ N(0, σ²) is the efficiency of the objective's robust loss ψ = ρ′ (1 for least squares; ≈ 1.5
/// for Huber with δ ≪ σ; Huber 1981, §7.6), computed by quadrature. The target T(θ) (a loss, or N*)
/// has, by the delta method, Var(ln T̂) ≈ σ²κ·cᵀM⁻¹c with c = ∂ln T/∂u (central differences), and the
/// predicted interval is T·exp(±z·sd). Minimising cᵀM⁻¹c is c-optimal design (Elfving 1952).
///
/// The parameters are those of a pilot fit or a prior (fixed parameters); the score is local to them.
public struct DesignProblem: Sendable {
    /// The law the runs will be fitted with.
    public let law: any ScalingLaw
    /// Assumed parameter values (law order).
    public let parameters: [Double]
    /// Indices of the parameters the eventual fit estimates (the others stay fixed).
    public let free: [Int]
    /// Noise σ of one run's loss about the law, in the objective's residual space (ln loss by default).
    public let noise: Double
    /// The objective the runs will be fitted with (its space and robust loss).
    public let objective: Objective
    /// k in C = k·N·D.
    public let flopsPerParamToken: Double
    /// The quantity to forecast.
    public let target: DesignTarget
    /// Confidence level of the predicted intervals.
    public let level: Double
    /// κ: variance inflation of the objective's robust loss over least squares at this noise.
    public let efficiency: Double

    /// A design problem at the parameters of `fit` (a pilot fit, or a law with every parameter given).
    ///
    /// - Parameters:
    ///   - fit: the pilot fit, or a law with every parameter given.
    ///   - target: the quantity to forecast.
    ///   - noise: σ of a run's loss about the law in the objective's residual space; nil takes it from
    ///     the pilot fit's residuals (√(RSS/(n−p)) for `mse`, else 1.4826 × MAD).
    ///   - free: names of the parameters the eventual fit estimates; nil means all but those the pilot
    ///     fit held fixed (every parameter when `fit` carries no data).
    ///   - level: confidence level of the predicted intervals, strictly between 0 and 1.
    /// - Throws: ``ScalingLawsError`` for a missing or bad noise level, a bad level, or a target the law
    ///   cannot compute.
    public init(fit: FitResult, target: DesignTarget, noise: Double? = nil, free: [String]? = nil,
                level: Double = 0.95) throws(ScalingLawsError) {
        try FitResult.validate(level: level)
        try target.validate(law: fit.law)
        let law = fit.law
        let sigma: Double
        if let noise {
            guard noise.isFinite, noise >= 1e-300 else {
                throw .invalidOption(option: .noise, message: "expected a positive noise level of at least 1e-300 (the scatter of a run's loss about the law, e.g. 0.01 for 1%), got \(noise)")
            }
            sigma = noise
        } else {
            guard fit.residuals.count > fit.law.parameters.count - fit.fixed.count else {
                throw .invalidOption(option: .noise, message: "no pilot runs to estimate the noise from: give \(.noise) (the scatter of a run's loss about the law in the fit's residual space, e.g. 0.01 for 1%)")
            }
            sigma = Self.residualScale(fit)
            guard sigma.isNormal, sigma > 0 else {
                throw .invalidOption(option: .noise, message: "the pilot fit's residuals give no positive noise level (\(sigma)); give \(.noise)")
            }
        }
        let freeIndices: [Int]
        if let free {
            freeIndices = try free.map { name throws(ScalingLawsError) -> Int in
                guard let j = law.parameterIndex(name) else {
                    throw .invalidOption(option: .free, message: "the \(law.name) law has no parameter \"\(name)\"; its parameters are \(law.parameterNames.joined(separator: ", "))")
                }
                return j
            }.sorted()
        } else if fit.trainingSet.isEmpty {
            freeIndices = Array(law.parameters.indices)
        } else {
            freeIndices = law.parameters.indices.filter { !fit.fixed.contains(law.parameters[$0].name) }
        }
        guard !freeIndices.isEmpty else {
            throw .invalidOption(option: .fixed, message: "every parameter is held fixed: the runs would estimate nothing")
        }
        self.law = law
        self.parameters = fit.parameters
        self.free = freeIndices
        self.noise = sigma
        self.objective = fit.objective
        self.flopsPerParamToken = fit.flopsPerParamToken
        self.target = target
        self.level = level
        self.efficiency = Self.efficiency(of: fit.objective.robustLoss, noise: sigma)
        guard target.value(law: law, parameters, flopsPerParamToken: flopsPerParamToken) != nil else {
            throw .fitFailed(law: law.name, message: "the law gives no positive value for the target (\(target.summary)) at these parameters")
        }
    }

    /// Scale of the pilot fit's residuals, as ``Uncertainty/residualScale`` defines it.
    static func residualScale(_ fit: FitResult) -> Double {
        FitResult.residualScale(fit.residuals, loss: fit.objective.loss, freeParameters: fit.law.parameters.count - fit.fixed.count)
    }

    /// κ = E[ψ(ε)²] / E[ψ′(ε)]² for ε ~ N(0, σ²), divided by σ² (1 for least squares), by the
    /// trapezoidal rule over ±10σ. Integrated in z = ε/σ, so that no product of σ-sized numbers
    /// underflows for a tiny σ (σ = 1e-300 gave 0/0 when the weights carried σ).
    static func efficiency(of loss: RobustLoss, noise sigma: Double) -> Double {
        if case .squared = loss { return 1 }
        let steps = 8000
        let h = 20 / Double(steps)
        var psi2 = 0.0, slope = 0.0
        for s in 0...steps {
            let z = -10 + Double(s) * h
            let w = (s == 0 || s == steps ? 0.5 : 1) * h * exp(-0.5 * z * z) / (2 * Double.pi).squareRoot()
            let p = loss.psi(sigma * z) / sigma
            psi2 += w * p * p
            slope += w * loss.psiPrime(sigma * z)
        }
        guard slope > 0 else { return .infinity }
        return psi2 / (slope * slope)
    }

    /// z = Φ⁻¹((1 + level)/2).
    var z: Double { Quantiles.normal((1 + level) / 2) }

    /// Jacobian rows gᵢ = ∂rᵢ/∂u of the runs (one row of `free.count` entries per run).
    func informationRows(_ runs: [DesignRun]) throws(ScalingLawsError) -> [[Double]] {
        guard !runs.isEmpty else { return [] }
        var columns = [[Double]](repeating: [], count: law.variables.count)
        for (index, candidate) in runs.enumerated() {
            let run = candidate.run
            for (j, v) in law.variables.enumerated() {
                guard let value = run.value(of: v), value.isFinite, value > 0 else {
                    throw .invalidRun(index: index, message: "the \(law.name) law needs a positive \(v) for every candidate run")
                }
                columns[j].append(value)
            }
        }
        let x = Inputs(columns: columns)
        let f = law.evaluate(parameters, x)
        var jac = Matrix(rows: x.count, columns: parameters.count)
        law.jacobian(parameters, x, into: &jac)
        return try (0..<x.count).map { i throws(ScalingLawsError) -> [Double] in
            guard f[i].isFinite, objective.space == .linear || f[i] > 0 else {
                throw .invalidRun(index: i, message: "the law gives no positive prediction for the candidate N=\(runs[i].params), D=\(runs[i].tokens)")
            }
            return free.map { j in
                let chain = law.parameters[j].isPositive ? parameters[j] : 1
                let d = jac[i, j] * chain
                return objective.space == .log ? d / f[i] : d
            }
        }
    }

    /// c = ∂ln T/∂u by central differences.
    func targetGradient() throws(ScalingLawsError) -> [Double] {
        let k = flopsPerParamToken
        var gradient = [Double](repeating: 0, count: free.count)
        for (a, j) in free.enumerated() {
            let positive = law.parameters[j].isPositive
            let u = positive ? log(parameters[j]) : parameters[j]
            let h = 1e-6 * max(1, abs(u))
            var up = parameters, down = parameters
            up[j] = positive ? exp(u + h) : u + h
            down[j] = positive ? exp(u - h) : u - h
            guard let fu = target.value(law: law, up, flopsPerParamToken: k),
                  let fd = target.value(law: law, down, flopsPerParamToken: k) else {
                throw .fitFailed(law: law.name, message: "the target (\(target.summary)) is undefined near the assumed parameters")
            }
            gradient[a] = (log(fu) - log(fd)) / (2 * h)
        }
        return gradient
    }

    /// The score of `runs`: the predicted interval of the target if the runs were fitted.
    ///
    /// A design that does not determine the target (fewer runs than parameters, or runs whose
    /// information leaves the target's direction unresolved) scores an infinite half-width with a note.
    public func score(_ runs: [DesignRun]) throws(ScalingLawsError) -> DesignScore {
        let rows = try informationRows(runs)
        let c = try targetGradient()
        let criterion = DesignCriterion(rows: rows, target: c)
        let (variance, rank) = criterion.exactVariance(Array(rows.indices))
        return makeScore(runs, variance: variance, rank: rank)
    }

    /// Assembles a ``DesignScore`` from cᵀM⁻¹c and the rank of M.
    func makeScore(_ runs: [DesignRun], variance cmc: Double, rank: Int) -> DesignScore {
        let value = target.value(law: law, parameters, flopsPerParamToken: flopsPerParamToken) ?? .nan
        let sd = cmc.isFinite ? noise * (efficiency * cmc).squareRoot() : .infinity
        let interval = Interval(value * exp(-z * sd), value * exp(z * sd))
        var notes = [String]()
        if !cmc.isFinite {
            notes.append("the runs do not determine the target: their information matrix has rank \(rank) of the \(free.count) fitted parameters")
        }
        if runs.count < free.count + 1 {
            notes.append("\(runs.count) runs cannot fit \(free.count) parameters (a fit needs at least \(free.count + 1))")
        }
        var tokens: DesignScore.Secondary? = nil
        if case let .optimum(c) = target {
            let d = c / (flopsPerParamToken * value)
            tokens = DesignScore.Secondary(name: "tokens", value: d, interval: Interval(d * exp(-z * sd), d * exp(z * sd)))
        }
        return DesignScore(runs: runs, cost: runs.reduce(0) { $0 + $1.flops }, quantity: target.quantity, value: value,
                           logStandardDeviation: sd, interval: interval, level: level, rank: rank, secondary: tokens, notes: notes)
    }

    /// ln(D/N) of a run minus ln(D*/N*) of the compute-optimal run at its compute k·N·D, or nil for laws
    /// without a compute-optimal allocation of N and D.
    static func frontierOffset(law: any ScalingLaw, _ theta: [Double], params n: Double, tokens d: Double,
                               flopsPerParamToken k: Double) -> Double? {
        guard let law = law as? any ComputeOptimalLaw,
              let o = try? law.computeOptimum(theta, flops: k * n * d, flopsPerParamToken: k),
              let ratio = o.tokensPerParam, ratio.isFinite, ratio > 0 else { return nil }
        return log(d / n) - log(ratio)
    }
}

/// How well a design determines its target.
public struct DesignScore: Sendable {
    /// Another quantity the target implies (D* beside N*).
    public struct Secondary: Sendable, Hashable {
        /// Its name (`tokens`).
        public var name: String
        /// Its value at the assumed parameters.
        public var value: Double
        /// Its predicted interval.
        public var interval: Interval
    }

    /// The runs.
    public var runs: [DesignRun]
    /// Their total cost in FLOPs.
    public var cost: Double
    /// What the target is: `loss` or `params` (N*).
    public var quantity: String
    /// The target at the assumed parameters.
    public var value: Double
    /// Predicted standard deviation of ln T̂ (infinite when the runs do not determine it).
    public var logStandardDeviation: Double
    /// Predicted interval of the target, T·exp(±z·sd).
    public var interval: Interval
    /// Its confidence level.
    public var level: Double
    /// Rank of the information matrix (the number of fitted parameters when the design is regular).
    public var rank: Int
    /// D* for an optimum target.
    public var secondary: Secondary?
    /// Why the score may not be usable.
    public var notes: [String]

    /// Half the interval's width, (high − low)/2, in the target's units.
    public var halfWidth: Double { (interval.high - interval.low) / 2 }
    /// ``halfWidth`` relative to the value.
    public var relativeHalfWidth: Double { halfWidth / value }
    /// Distinct model sizes among the runs.
    public var distinctSizes: Int { Set(runs.map(\.params)).count }
}
