import Foundation

/// The designs researchers usually train, at a given cost, to show what a proposed design gains.
public enum StandardDesigns {
    /// A standard design and its score.
    public struct Baseline: Sendable {
        /// Short name: `isoflop-grid` or `ladder-20`.
        public var name: String
        /// What it is, in words.
        public var summary: String
        /// Its runs and predicted interval of the target.
        public var score: DesignScore
    }

    /// An isoFLOP grid (Hoffmann et al. 2022, Approach 2): `levels` compute budgets half a decade apart,
    /// each trained at `sizesPerLevel` model sizes a factor 2 apart centred on the assumed law's
    /// compute-optimal size (20 tokens per parameter for laws without one), scaled so the runs cost
    /// `budget` in total under C = k·N·D.
    public static func isoFLOPGrid(_ problem: DesignProblem, budget: Double, levels: Int = 3, sizesPerLevel: Int = 5) -> [DesignRun] {
        let k = problem.flopsPerParamToken
        let spacing = pow(10, -0.5)
        let top = budget / (Double(sizesPerLevel) * (0..<levels).reduce(0) { $0 + pow(spacing, Double($1)) })
        var runs = [DesignRun]()
        for level in 0..<levels {
            let c = top * pow(spacing, Double(level))
            let center = optimalSize(problem, flops: c)
            for s in 0..<sizesPerLevel {
                let n = center * pow(2, Double(s) - Double(sizesPerLevel - 1) / 2)
                runs.append(DesignRun(params: n, tokens: c / (k * n), flops: c))
            }
        }
        return runs
    }

    /// A ladder at a fixed `tokensPerParam` (20: Hoffmann et al.'s rule of thumb): `sizes` model sizes a
    /// factor 2 apart, the largest chosen so the runs cost `budget` in total under C = k·N·D.
    public static func ladder(_ problem: DesignProblem, budget: Double, tokensPerParam: Double = 20, sizes: Int = 6) -> [DesignRun] {
        let k = problem.flopsPerParamToken
        let sum = (0..<sizes).reduce(0.0) { $0 + pow(0.25, Double($1)) }
        let top = (budget / (k * tokensPerParam * sum)).squareRoot()
        return (0..<sizes).reversed().map { i in
            let n = top * pow(0.5, Double(i))
            return DesignRun(params: n, tokens: tokensPerParam * n, flopsPerParamToken: k)
        }
    }

    /// The standard designs of (at most) `budget` scored for `problem`. With `candidates` (runs the user
    /// can train) each design's runs are moved to the nearest distinct candidates in (ln N, ln D), at the
    /// largest scale whose cost stays within the budget; otherwise the ideal runs are used as they are.
    public static func baselines(_ problem: DesignProblem, budget: Double, candidates: [DesignRun]? = nil) throws(ScalingLawsError) -> [Baseline] {
        try ExperimentDesigner.validate(budget: budget)
        let designs: [(String, String, (Double) -> [DesignRun])] = [
            ("isoflop-grid", "isoFLOP grid: 3 budgets half a decade apart × 5 sizes a factor 2 apart around the optimum",
             { isoFLOPGrid(problem, budget: $0) }),
            ("ladder-20", "ladder: 6 sizes a factor 2 apart at 20 tokens per parameter", { ladder(problem, budget: $0) }),
        ]
        return try designs.map { name, summary, make throws(ScalingLawsError) -> Baseline in
            let runs = candidates.map { snap(make, to: $0, budget: budget) } ?? make(budget)
            return Baseline(name: name, summary: summary, score: try problem.score(runs))
        }
    }

    /// The design `make(b)` moved to the nearest distinct candidates, for the largest b ≤ budget (on a
    /// log grid of 240 scales down to 1/1000 of the budget) whose snapped cost fits the budget.
    static func snap(_ make: (Double) -> [DesignRun], to candidates: [DesignRun], budget: Double) -> [DesignRun] {
        guard !candidates.isEmpty else { return [] }
        let logs = candidates.map { (log($0.params), log($0.tokens)) }
        for step in 0..<240 {
            let scale = pow(10, -3 * Double(step) / 239)
            var used = Set<Int>()
            var runs = [DesignRun]()
            for ideal in make(budget * scale) {
                let (ln, ld) = (log(ideal.params), log(ideal.tokens))
                var best: (Int, Double)? = nil
                for (i, c) in logs.enumerated() where !used.contains(i) {
                    let d = (c.0 - ln) * (c.0 - ln) + (c.1 - ld) * (c.1 - ld)
                    if best == nil || d < best!.1 { best = (i, d) }
                }
                guard let b = best else { break }
                used.insert(b.0)
                runs.append(candidates[b.0])
            }
            if runs.reduce(0, { $0 + $1.flops }) <= budget { return runs }
        }
        return []
    }

    /// N*(C) of the assumed law, or the size at 20 tokens per parameter.
    static func optimalSize(_ problem: DesignProblem, flops c: Double) -> Double {
        let k = problem.flopsPerParamToken
        if let law = problem.law as? any ComputeOptimalLaw,
           let o = try? law.computeOptimum(problem.parameters, flops: c, flopsPerParamToken: k),
           let n = o.params, n.isFinite, n > 0 {
            return n
        }
        return (c / (20 * k)).squareRoot()
    }
}
