import Foundation
import Testing
@testable import ScalingLaws

@Suite("Inference-aware and constrained allocation")
struct InferenceAwareTests {
    let law = ChinchillaParameters(E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28)

    /// Brute force, independent of the planner's algebra: D for a given N is found by bisection on
    /// L(N, D) = target in ln D (not the closed form), and N by a grid over ln N zoomed five times around
    /// the best point (2,001 points each, so the final spacing is about 1e-13 in ln N).
    func bruteForceMinimumCost(target: Double, inferenceTokens t: Double) -> (params: Double, total: Double) {
        func tokens(_ n: Double) -> Double? {
            var lo = 0.0, hi = 200.0  // ln D
            guard law.loss(params: n, tokens: exp(hi)) < target else { return nil }
            for _ in 0..<200 {
                let mid = (lo + hi) / 2
                if law.loss(params: n, tokens: exp(mid)) > target { lo = mid } else { hi = mid }
            }
            return exp((lo + hi) / 2)
        }
        func total(_ u: Double) -> Double {
            guard let d = tokens(exp(u)) else { return .infinity }
            return 6 * exp(u) * d + 2 * exp(u) * t
        }
        var lo = log(1e6), hi = log(1e14)
        var best = lo
        for _ in 0..<5 {
            let step = (hi - lo) / 2000
            best = (0...2000).map { lo + Double($0) * step }.min { total($0) < total($1) }!
            lo = best - 2 * step
            hi = best + 2 * step
        }
        return (exp(best), total(best))
    }

    @Test("Least total cost for a target loss agrees with brute force to 1e-6", arguments: [
        (2.0, 2e12), (2.0, 0.0), (1.9, 1e13), (2.2, 1e11), (2.5, 5e14),
    ])
    func matchesBruteForce(target: Double, inferenceTokens: Double) throws {
        let plan = try InferenceAware.minimumCost(law, targetLoss: target, inferenceTokens: inferenceTokens)
        let brute = bruteForceMinimumCost(target: target, inferenceTokens: inferenceTokens)
        #expect(relativeError(plan.optimal.params, brute.params) < 1e-6, "N \(plan.optimal.params) vs \(brute.params)")
        #expect(relativeError(plan.optimal.totalFlops, brute.total) < 1e-6)
        #expect(plan.optimal.totalFlops <= brute.total * (1 + 1e-12))
        #expect(relativeError(plan.optimal.loss, target) < 1e-12)
    }

    @Test("The optimal N shrinks as inference tokens grow; with none it is the Chinchilla optimum")
    func monotone() throws {
        let target = 2.0
        var previous = Double.infinity, previousTokens = 0.0
        for t in [0, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14] {
            let plan = try InferenceAware.minimumCost(law, targetLoss: target, inferenceTokens: t)
            #expect(plan.optimal.params < previous)
            #expect(plan.optimal.tokens > previousTokens)
            #expect(plan.savingFlops >= 0)
            previous = plan.optimal.params
            previousTokens = plan.optimal.tokens
        }
        // T = 0: the Chinchilla optimum, checked against Hoffmann et al.'s eq. 4 at the budget it needs.
        let plain = try InferenceAware.minimumCost(law, targetLoss: target, inferenceTokens: 0)
        let hoffmann = try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28])
        let eq4 = try hoffmann.computeOptimum(flops: plain.optimal.trainingFlops)
        #expect(relativeError(plain.optimal.params, eq4.params!) < 1e-12)
        #expect(relativeError(plain.optimal.tokens, eq4.tokens!) < 1e-12)
        #expect(relativeError(eq4.loss, target) < 1e-12)
        #expect(plain.optimal == plain.chinchillaOptimal)
        #expect(plain.savingFlops == 0)
    }

    @Test("Least loss for a total budget: brute force over N, and the same plan as the target-loss problem")
    func minimumLoss() throws {
        let c = 1e24, t = 3e12
        let plan = try InferenceAware.minimumLoss(law, totalFlops: c, inferenceTokens: t)
        #expect(relativeError(plan.optimal.totalFlops, c) < 1e-12)
        // Brute force on ln N with D = (C − 2NT)/(6N), zoomed as above.
        func loss(_ u: Double) -> Double {
            let n = exp(u), left = c - 2 * n * t
            return left > 0 ? law.loss(params: n, tokens: left / (6 * n)) : .infinity
        }
        var lo = log(1e7), hi = log(c / (2 * t)), best = lo
        for _ in 0..<5 {
            let step = (hi - lo) / 2000
            best = (0...2000).map { lo + Double($0) * step }.min { loss($0) < loss($1) }!
            lo = best - 2 * step
            hi = best + 2 * step
        }
        #expect(relativeError(plan.optimal.params, exp(best)) < 1e-6)
        #expect(plan.optimal.loss <= loss(best) + 1e-14)
        // Duality: the least cost of reaching that loss is this budget, at the same model.
        let dual = try InferenceAware.minimumCost(law, targetLoss: plan.optimal.loss, inferenceTokens: t)
        #expect(relativeError(dual.optimal.totalFlops, c) < 1e-9)
        #expect(relativeError(dual.optimal.params, plan.optimal.params) < 1e-6)
        #expect(plan.savingFraction > 0)
    }

    @Test("Unreachable targets and bad token counts are refused")
    func refusals() {
        #expect(throws: ScalingLawsError.self) { try InferenceAware.minimumCost(law, targetLoss: 1.6, inferenceTokens: 1e12) }
        #expect(throws: ScalingLawsError.self) { try InferenceAware.minimumCost(law, targetLoss: 2, inferenceTokens: -1) }
        #expect(throws: ScalingLawsError.self) { try InferenceAware.minimumLoss(law, totalFlops: 0, inferenceTokens: 1e12) }
        #expect(throws: ScalingLawsError.unsupported("this plan needs a law of model size and data, L(N, D); the saturating law is not one: use \(.law, "chinchilla")")) {
            try FitResult(law: SaturatingPowerLaw(), parameters: ["E": 1.7, "A": 100, "alpha": 0.1])
                .inferenceAwareOptimum(targetLoss: 2, inferenceTokens: 1e12)
        }
    }

    @Test("Fixed tokens per parameter: N = √(C/(6r)), and the loss is above the compute optimum's")
    func fixedRatio() throws {
        let fit = try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28])
        let c = 3.8e25
        let plan = try fit.fixedRatioPlan(flops: c, tokensPerParam: 100)
        let n = (c / 600).squareRoot()
        #expect(relativeError(plan.plan.params!, n) < 1e-12)
        #expect(relativeError(plan.plan.tokens!, 100 * n) < 1e-12)
        #expect(relativeError(plan.plan.loss, law.loss(params: n, tokens: 100 * n)) < 1e-12)
        #expect(plan.plan.loss > plan.computeOptimal.loss)
        #expect(plan.isBinding)
        // Reaching the over-trained model's loss compute-optimally takes less compute than C.
        let same = try #require(plan.optimalFlopsForSameLoss)
        #expect(same < c)
        #expect(relativeError(try fit.computeOptimum(flops: same).loss, plan.plan.loss) < 1e-12)
    }

    @Test("Data-limited: the cap binds only when D_opt exceeds it, and then D = U")
    func dataLimited() throws {
        let fit = try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28])
        let c = 1e25
        let free = try fit.computeOptimum(flops: c)
        let loose = try fit.dataLimitedOptimum(flops: c, maxTokens: free.tokens! * 2)
        #expect(!loose.isBinding)
        #expect(loose.plan == free)
        let tight = try fit.dataLimitedOptimum(flops: c, maxTokens: free.tokens! / 2)
        #expect(tight.isBinding)
        #expect(tight.plan.tokens == free.tokens! / 2)
        #expect(relativeError(6 * tight.plan.params! * tight.plan.tokens!, c) < 1e-12)
        #expect(tight.plan.loss > free.loss)
        // No feasible split of C with D ≤ U does better (a scan over N ≥ C/(6U)).
        for factor in [1.01, 1.1, 1.5, 3] {
            let n = tight.plan.params! * factor
            #expect(law.loss(params: n, tokens: c / (6 * n)) > tight.plan.loss)
        }
    }
}
