/// A plan for a FLOP budget under a constraint on the tokens, beside the unconstrained compute optimum.
public struct ConstrainedPlan: Sendable, Hashable {
    /// The allocation under the constraint and the loss it reaches.
    public var plan: ComputeOptimum
    /// The compute-optimal allocation of the same budget without the constraint.
    public var computeOptimal: ComputeOptimum
    /// Whether the constraint moved the answer away from the compute optimum.
    public var isBinding: Bool
    /// Training FLOPs the compute-optimal allocation needs to reach ``plan``'s loss (for a chinchilla law):
    /// its ratio to the budget is the efficiency of the constrained plan.
    public var optimalFlopsForSameLoss: Double?
}

extension FitResult {
    /// The model trained at a fixed `tokensPerParam` r = D/N on `flops`, as Llama 3 and Qwen 2 over-train
    /// small models far past 20 tokens per parameter: C = k·N·D = k·r·N² gives N = √(C/(k·r)), D = r·N,
    /// and the law gives the loss. Compared with the compute optimum of the same budget.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a non-positive ratio or budget;
    ///   ``ScalingLawsError/unsupported(_:)`` for a law without N and D.
    public func fixedRatioPlan(flops: Double, tokensPerParam r: Double) throws(ScalingLawsError) -> ConstrainedPlan {
        guard r >= 1e-6, r <= 1e9 else {
            throw .invalidOption(option: .tokensPerParam, message: "expected a ratio D/N from 1e-06 to 1e+09 such as 100, got \(r)")
        }
        let optimum = try allocationOptimum(flops: flops)
        let n = (flops / (flopsPerParamToken * r)).squareRoot()
        return try constrained(flops: flops, params: n, tokens: r * n, optimum: optimum,
                               binding: abs(n / optimum.params! - 1) > 1e-9)
    }

    /// The compute optimum of `flops` when at most `maxTokens` unique tokens U exist and repeating them is
    /// worth nothing: if the unconstrained D_opt ≤ U it is the answer; otherwise D = U and N = C/(k·U).
    /// The loss along a budget is convex in ln N with its minimum at D_opt (Hoffmann et al. 2022, eq. 4),
    /// so when D_opt > U the best feasible point is the boundary D = U.
    ///
    /// Repeated epochs are not modelled: Muennighoff et al. 2023 ("Scaling Data-Constrained Language
    /// Models", arXiv:2305.16264) find up to about 4 epochs nearly as useful as fresh data, so this plan
    /// is conservative when repetition is acceptable.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a non-positive cap or budget;
    ///   ``ScalingLawsError/unsupported(_:)`` for a law without N and D.
    public func dataLimitedOptimum(flops: Double, maxTokens u: Double) throws(ScalingLawsError) -> ConstrainedPlan {
        guard u > 0, u.isFinite else {
            throw .invalidOption(option: .maxTokens, message: "expected a positive number of unique tokens such as 2T, got \(u)")
        }
        let optimum = try allocationOptimum(flops: flops)
        guard let d = optimum.tokens, d > u else {
            return ConstrainedPlan(plan: optimum, computeOptimal: optimum, isBinding: false, optimalFlopsForSameLoss: flops)
        }
        return try constrained(flops: flops, params: flops / (flopsPerParamToken * u), tokens: u, optimum: optimum, binding: true)
    }

    /// The compute optimum of a law that allocates N and D.
    private func allocationOptimum(flops: Double) throws(ScalingLawsError) -> ComputeOptimum {
        let optimum = try computeOptimum(flops: flops)
        guard optimum.params != nil, optimum.tokens != nil else {
            throw .unsupported("the \(law.name) law gives no model size and token count for a budget; this plan needs L(N, D): use \(.law, "chinchilla")")
        }
        return optimum
    }

    private func constrained(flops: Double, params n: Double, tokens d: Double, optimum: ComputeOptimum,
                             binding: Bool) throws(ScalingLawsError) -> ConstrainedPlan {
        let loss = try predict([Run(params: n, tokens: d, flops: flops)])[0]
        let same = (try? ChinchillaParameters(self))?.computeOptimalModel(reaching: loss).map { flopsPerParamToken * $0.params * $0.tokens }
        return ConstrainedPlan(plan: ComputeOptimum(flops: flops, params: n, tokens: d, loss: loss), computeOptimal: optimum,
                               isBinding: binding, optimalFlopsForSameLoss: same)
    }
}
