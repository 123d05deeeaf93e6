/// Bootstrap replicates of an allocation law, for percentile intervals.
///
/// Each replicate resamples, with replacement, the runs within every budget (so each budget keeps its
/// size and its FLOP value), refits every budget's profile and then N*(C) and D*(C) (Efron &
/// Tibshirani 1993, ch. 6, resampling within strata). Replicate b draws from
/// ``SeededGenerator/init(seed:stream:)`` stream b, so the result does not depend on threading.
/// A replicate in which some budget's resampled profile has no minimum inside its sampled sizes is
/// discarded; ``discarded`` counts them.
public struct AllocationBootstrap: Sendable {
    /// Replicates asked for.
    public let requested: Int
    /// The allocation laws of the replicates that succeeded.
    public let replicates: [AllocationLaw]
    /// Coverage of the percentile intervals, e.g. 0.95.
    public let level: Double
    /// The seed of the generator.
    public let seed: UInt64

    /// Replicates discarded because a resampled budget had no interior minimum.
    public var discarded: Int { requested - replicates.count }

    /// The central ``level`` percentile interval of `statistic` over the replicates (nil without any).
    public func interval(_ statistic: (AllocationLaw) -> Double) -> Interval? {
        Quantiles.interval(replicates.map(statistic), level: level)
    }

    /// Interval of the exponent a of N*(C).
    public var paramsExponent: Interval? { interval { $0.params.exponent } }
    /// Interval of the coefficient k_N of N*(C).
    public var paramsCoefficient: Interval? { interval { $0.params.coefficient } }
    /// Interval of the exponent b of D*(C).
    public var tokensExponent: Interval? { interval { $0.tokens.exponent } }
    /// Interval of the coefficient k_D of D*(C).
    public var tokensCoefficient: Interval? { interval { $0.tokens.coefficient } }

    /// Resamples `budgets` (each budget's ln N and losses) `replicates` times.
    static func resample(_ budgets: [(flops: Double, logParams: [Double], losses: [Double])], shape: IsoFLOPProfile.Shape,
                         flopsPerParamToken k: Double, replicates: Int, level: Double, seed: UInt64) -> AllocationBootstrap {
        let laws = parallelMap(replicates) { b -> AllocationLaw? in
            var rng = SeededGenerator(seed: seed, stream: UInt64(b))
            var flops = [Double](), params = [Double](), tokens = [Double]()
            for budget in budgets {
                let n = budget.logParams.count
                var x = [Double](), y = [Double]()
                x.reserveCapacity(n)
                y.reserveCapacity(n)
                for _ in 0..<n {
                    let i = rng.nextIndex(n)
                    x.append(budget.logParams[i])
                    y.append(budget.losses[i])
                }
                guard case let .success(minimum) = IsoFLOPProfile.minimum(logParams: x, losses: y, shape: shape) else {
                    return nil
                }
                let nStar = exp(minimum.logParams)
                flops.append(budget.flops)
                params.append(nStar)
                tokens.append(budget.flops / (k * nStar))
            }
            return try? AllocationLaw.fit(flops: flops, params: params, tokens: tokens)
        }
        return AllocationBootstrap(requested: replicates, replicates: laws.compactMap { $0 }, level: level, seed: seed)
    }
}

import Foundation
