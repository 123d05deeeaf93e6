import Foundation

/// A model, the tokens it is trained on and the tokens it will serve, with their FLOPs.
public struct ServingPlan: Sendable, Hashable {
    /// Parameters N.
    public var params: Double
    /// Training tokens D.
    public var tokens: Double
    /// L(N, D).
    public var loss: Double
    /// Tokens served at inference, T.
    public var inferenceTokens: Double
    /// Training FLOPs k·N·D.
    public var trainingFlops: Double
    /// Inference FLOPs k_inf·N·T.
    public var inferenceFlops: Double

    /// Training plus inference FLOPs.
    public var totalFlops: Double { trainingFlops + inferenceFlops }
    /// D/N.
    public var tokensPerParam: Double { tokens / params }
}

/// An inference-aware optimum beside the Chinchilla-optimal model that reaches the same loss and
/// serves the same tokens.
public struct InferenceAwarePlan: Sendable, Hashable {
    /// The model with the least training + inference FLOPs (or the least loss for the total budget).
    public var optimal: ServingPlan
    /// The Chinchilla-optimal model (least training compute) reaching ``ServingPlan/loss`` of ``optimal``.
    public var chinchillaOptimal: ServingPlan

    /// Total FLOPs saved against the Chinchilla-optimal model.
    public var savingFlops: Double { chinchillaOptimal.totalFlops - optimal.totalFlops }
    /// ``savingFlops`` as a share of the Chinchilla-optimal model's total.
    public var savingFraction: Double { savingFlops / chinchillaOptimal.totalFlops }
}

/// Inference-aware allocation: Sardana & Frankle 2023, "Beyond Chinchilla-Optimal: Accounting for
/// Inference in Language Model Scaling Laws" (arXiv:2401.00448).
///
/// A model of N parameters trained on D tokens and then serving T tokens costs k·N·D training FLOPs
/// (k = 6) plus k_inf·N·T inference FLOPs (k_inf = 2, a forward pass). Two problems, on a fitted
/// L(N, D) = E + A/N^α + B/D^β:
///
/// - **least total cost for a target loss L**: on the iso-loss curve D(N) = (B/(L − E − A/N^α))^(1/β),
///   minimise f(u) = k·N·D(N) + k_inf·N·T over u = ln N. With s = A·N^(−α)/(L − E), d ln D/du =
///   −(α/β)·s/(1 − s), so f′(u)/N = k·D·(1 − (α/β)·s/(1 − s)) + k_inf·T. Both terms of f are convex in
///   u, so f′ has one sign change, between N_min = (A/(L − E))^(1/α) (where D → ∞) and the
///   Chinchilla-optimal N_c (where the bracket vanishes and f′ = k_inf·T·N ≥ 0). Bisection on its sign
///   finds it to machine precision. With T = 0 the answer is N_c.
/// - **least loss for a total budget C** (training + inference): D(N) = (C − k_inf·N·T)/(k·N) and
///   dL/du = −αA·N^(−α) + βB·D^(−β)·C/(C − k_inf·N·T), also increasing in u; its root lies below both
///   the Chinchilla optimum for C and C/(k_inf·T).
public enum InferenceAware {
    /// The model reaching `targetLoss` with the least training + inference FLOPs.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for parameters that are not a law
    ///   (``ChinchillaParameters/validate()``), a target at or below E or so high that its model has less
    ///   than one parameter or one token, a negative or non-finite number of tokens, or FLOPs beyond
    ///   double precision.
    public static func minimumCost(_ law: ChinchillaParameters, targetLoss: Double, inferenceTokens t: Double,
                                   flopsPerParamToken k: Double = 6,
                                   inferenceFlopsPerParamToken kInf: Double = 2) throws(ScalingLawsError) -> InferenceAwarePlan {
        try law.validate()
        try validate(inferenceTokens: t, k: k, kInf: kInf)
        guard targetLoss.isFinite, let chinchilla = law.computeOptimalModel(reaching: targetLoss) else {
            throw .invalidOption(option: .targetLoss, message: "\(targetLoss) is not above the irreducible loss E = \(formatQuantity(law.E)) of the law, so no model reaches it; choose a larger target")
        }
        guard chinchilla.params >= 1, chinchilla.tokens >= 1 else {
            throw .invalidOption(option: .targetLoss, message: "a loss of \(formatQuantity(targetLoss)) is reached by a model of N = \(formatQuantity(chinchilla.params)) parameters and D = \(formatQuantity(chinchilla.tokens)) tokens: the law describes no model below one parameter or one token; choose a smaller target")
        }
        var (n, d) = chinchilla
        if t > 0 {
            let logMin = log(law.A / (targetLoss - law.E)) / law.alpha
            n = exp(Bisection.signChange(logMin, log(chinchilla.params)) { u in
                let s = law.A * exp(-law.alpha * u) / (targetLoss - law.E)
                guard let d = law.tokens(params: exp(u), loss: targetLoss) else { return -.infinity }
                return k * d * (1 - (law.alpha / law.beta) * s / (1 - s)) + kInf * t
            })
            d = law.tokens(params: n, loss: targetLoss) ?? .infinity
        }
        return try checked(InferenceAwarePlan(optimal: plan(law, n, d, t, k, kInf),
                                              chinchillaOptimal: plan(law, chinchilla.params, chinchilla.tokens, t, k, kInf)))
    }

    /// The model with the least loss whose training + inference FLOPs equal `totalFlops`.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for parameters that are not a law
    ///   (``ChinchillaParameters/validate()``), a non-positive budget (or one whose best model, or the
    ///   Chinchilla-optimal model it is compared with, has less than one parameter or one token), a
    ///   negative or non-finite number of tokens, or FLOPs beyond double precision.
    public static func minimumLoss(_ law: ChinchillaParameters, totalFlops c: Double, inferenceTokens t: Double,
                                   flopsPerParamToken k: Double = 6,
                                   inferenceFlopsPerParamToken kInf: Double = 2) throws(ScalingLawsError) -> InferenceAwarePlan {
        try law.validate()
        try validate(inferenceTokens: t, k: k, kInf: kInf)
        guard c > 0, c.isFinite else {
            throw .invalidOption(option: .flops, message: "expected a positive FLOP budget, got \(c)")
        }
        // The Chinchilla optimum of training compute C (Hoffmann et al. eq. 4).
        let g = pow(law.alpha * law.A / (law.beta * law.B), 1 / (law.alpha + law.beta))
        var n = g * pow(c / k, law.beta / (law.alpha + law.beta))
        if t > 0 {
            let slope = { (u: Double) -> Double in
                let n = exp(u)
                let left = c - kInf * n * t
                guard left > 0 else { return .infinity }
                let d = left / (k * n)
                return -law.alpha * law.A * pow(n, -law.alpha) + law.beta * law.B * pow(d, -law.beta) * c / left
            }
            let high = min(log(n), log(c / (kInf * t)))
            var low = high - 1
            // The slope is negative for small enough N; bounded so that no input can loop forever.
            while slope(low) >= 0 {
                low -= 1
                guard low > high - 2000 else {
                    throw .invalidOption(option: .flops, message: "no best model found for a budget of \(formatQuantity(c)) FLOPs serving \(formatQuantity(t)) tokens")
                }
            }
            n = exp(Bisection.signChange(low, high, slope))
        }
        let d = (c - kInf * n * t) / (k * n)
        guard n >= 1, d >= 1 else {
            throw .invalidOption(option: .flops, message: "at C = \(formatQuantity(c)) FLOPs of training and inference the best model has N = \(formatQuantity(n)) parameters and D = \(formatQuantity(d)) tokens: the law describes no model below one parameter or one token; give a larger budget")
        }
        let optimal = plan(law, n, d, t, k, kInf)
        let chinchilla = law.computeOptimalModel(reaching: optimal.loss) ?? (n, d)
        // The comparison model must be one the law describes too (a degenerate law, e.g. β near 0,
        // puts it at D = 0 tokens and an infinite loss).
        guard chinchilla.params >= 1, chinchilla.tokens >= 1, chinchilla.params.isFinite, chinchilla.tokens.isFinite else {
            throw .invalidOption(option: .flops, message: "the Chinchilla-optimal model reaching the same loss \(formatQuantity(optimal.loss)) has N = \(formatQuantity(chinchilla.params)) parameters and D = \(formatQuantity(chinchilla.tokens)) tokens: the law describes no model below one parameter or one token, so there is nothing to compare with; check the law's parameters")
        }
        return try checked(InferenceAwarePlan(optimal: optimal,
                                              chinchillaOptimal: plan(law, chinchilla.params, chinchilla.tokens, t, k, kInf)))
    }

    /// `plans` when every FLOP count is finite; training FLOPs k·N·D or inference FLOPs 2·N·T can overflow
    /// double precision for extreme k or T even when N, D and T are each in range.
    private static func checked(_ plans: InferenceAwarePlan) throws(ScalingLawsError) -> InferenceAwarePlan {
        for p in [plans.optimal, plans.chinchillaOptimal] {
            guard p.trainingFlops.isFinite else {
                throw .invalidOption(option: .flopsPerParamToken, message: "the training FLOPs k·N·D of a model of N = \(formatQuantity(p.params)) parameters and D = \(formatQuantity(p.tokens)) tokens overflow double precision")
            }
            guard p.inferenceFlops.isFinite, (p.trainingFlops + p.inferenceFlops).isFinite else {
                throw .invalidOption(option: .inferenceTokens, message: "serving \(formatQuantity(p.inferenceTokens)) tokens with a model of N = \(formatQuantity(p.params)) parameters costs more FLOPs than double precision holds")
            }
        }
        return plans
    }

    private static func validate(inferenceTokens t: Double, k: Double, kInf: Double) throws(ScalingLawsError) {
        guard t >= 0, t.isFinite else {
            throw .invalidOption(option: .inferenceTokens, message: "expected a number of tokens ≥ 0 such as 2e12, got \(t)")
        }
        guard k > 0, k.isFinite, kInf > 0, kInf.isFinite else {
            throw .invalidOption(option: .flopsPerParamToken, message: "expected a positive number, got \(k)")
        }
    }

    private static func plan(_ law: ChinchillaParameters, _ n: Double, _ d: Double, _ t: Double,
                             _ k: Double, _ kInf: Double) -> ServingPlan {
        ServingPlan(params: n, tokens: d, loss: law.loss(params: n, tokens: d), inferenceTokens: t,
                    trainingFlops: k * n * d, inferenceFlops: kInf * n * t)
    }
}

extension FitResult {
    /// The model reaching `targetLoss` with the least training + inference FLOPs, serving
    /// `inferenceTokens` (``InferenceAware/minimumCost(_:targetLoss:inferenceTokens:flopsPerParamToken:inferenceFlopsPerParamToken:)``).
    public func inferenceAwareOptimum(targetLoss: Double, inferenceTokens: Double) throws(ScalingLawsError) -> InferenceAwarePlan {
        try InferenceAware.minimumCost(ChinchillaParameters(self), targetLoss: targetLoss, inferenceTokens: inferenceTokens,
                                       flopsPerParamToken: flopsPerParamToken)
    }

    /// The model with the least loss for `totalFlops` of training + inference, serving `inferenceTokens`.
    public func inferenceAwareOptimum(totalFlops: Double, inferenceTokens: Double) throws(ScalingLawsError) -> InferenceAwarePlan {
        try InferenceAware.minimumLoss(ChinchillaParameters(self), totalFlops: totalFlops, inferenceTokens: inferenceTokens,
                                       flopsPerParamToken: flopsPerParamToken)
    }
}
