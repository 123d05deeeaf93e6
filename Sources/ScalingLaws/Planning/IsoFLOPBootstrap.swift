import Foundation

/// Bootstrap replicates of an allocation law, for percentile intervals.
///
/// Two kinds:
/// - **runs** (``Kind/runs``): each replicate resamples, with replacement, the runs within every budget
///   (so each budget keeps its size and its FLOP value), refits every budget's minimum and then N*(C)
///   and D*(C) (Efron & Tibshirani 1993, ch. 6, resampling within strata);
/// - **noise** (``Kind/noise``): each replicate multiplies every run's loss by exp(σ·z), z standard
///   normal, with σ the seed-to-seed noise in ln L, and refits (Porian et al. 2024, arXiv:2406.19146,
///   who estimate σ from runs repeated with several seeds). The spread of each budget's ln N* over the
///   replicates is its standard error, the weights of the fit are 1/SE², and each replicate's weighted
///   fit gives the exponent's interval.
///
/// Replicate b draws from ``SeededGenerator/init(seed:stream:)`` stream b, so the result does not
/// depend on threading. A replicate in which some budget has no interior minimum is discarded;
/// ``discarded`` counts them.
public struct AllocationBootstrap: Sendable {
    /// What a replicate perturbs.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Runs resampled within budgets.
        case runs
        /// Losses perturbed by the noise σ.
        case noise
    }

    /// What the replicates perturb.
    public let kind: Kind
    /// Replicates asked for.
    public let requested: Int
    /// The allocation laws of the replicates that succeeded.
    public let replicates: [AllocationLaw]
    /// Coverage of the percentile intervals, e.g. 0.95.
    public let level: Double
    /// The seed of the generator.
    public let seed: UInt64

    /// Replicates discarded because some budget had no interior minimum.
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

    /// Resamples the runs of `budgets` `replicates` times.
    static func resample(_ budgets: [IsoFLOPBudgetData], method: IsoFLOPProfile.Method, flopsPerParamToken k: Double,
                         replicates: Int, level: Double, seed: UInt64) -> AllocationBootstrap {
        let laws = parallelMap(replicates) { b -> AllocationLaw? in
            var rng = SeededGenerator(seed: seed, stream: UInt64(b))
            var flops = [Double](), params = [Double]()
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
                guard case let .success(minimum) = IsoFLOPProfile.minimum(logParams: x, losses: y, method: method) else {
                    return nil
                }
                flops.append(budget.flops)
                params.append(exp(minimum.logParams))
            }
            return (try? AllocationRegression(flops: flops, params: params, weights: [Double](repeating: 1, count: flops.count)))?
                .allocation(flopsPerParamToken: k)
        }
        return AllocationBootstrap(kind: .runs, requested: replicates, replicates: laws.compactMap { $0 }, level: level, seed: seed)
    }

    /// ln N* of every budget in each of `replicates` noise replicates (nil where some budget had no
    /// interior minimum).
    static func noiseMinima(_ budgets: [IsoFLOPBudgetData], method: IsoFLOPProfile.Method, sigma: Double,
                            replicates: Int, seed: UInt64) -> [[Double]?] {
        parallelMap(replicates) { b -> [Double]? in
            var rng = SeededGenerator(seed: seed, stream: UInt64(b))
            var out = [Double]()
            out.reserveCapacity(budgets.count)
            for budget in budgets {
                let y = budget.losses.map { $0 * exp(sigma * rng.nextNormal()) }
                guard case let .success(minimum) = IsoFLOPProfile.minimum(logParams: budget.logParams, losses: y, method: method) else {
                    return nil
                }
                out.append(minimum.logParams)
            }
            return out
        }
    }

    /// The weighted fits of the noise replicates' minima.
    static func fromNoise(_ minima: [[Double]?], flops: [Double], weights: [Double], flopsPerParamToken k: Double,
                          level: Double, seed: UInt64) -> AllocationBootstrap {
        let laws = minima.map { row -> AllocationLaw? in
            guard let row else { return nil }
            return (try? AllocationRegression(flops: flops, params: row.map { exp($0) }, weights: weights))?.allocation(flopsPerParamToken: k)
        }
        return AllocationBootstrap(kind: .noise, requested: minima.count, replicates: laws.compactMap { $0 }, level: level, seed: seed)
    }
}
