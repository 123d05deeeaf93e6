import Foundation

/// Muennighoff et al.'s data-constrained law: repeated data and excess parameters decay in value.
///
///     L(N, D, U) = E + A / N′^α + B / D′^β
///     D′ = U + U·R*_D·(1 − exp(−R_D / R*_D)),   R_D = max(D/U − 1, 0)
///     N′ = U_N + U_N·R*_N·(1 − exp(−R_N / R*_N)),   R_N = max(N/U_N − 1, 0),   U_N = min(N, N_opt(U))
///
/// where U counts the unique tokens a run sees (the unique data available, capped at D: min(D, U)), and
/// N_opt(U) = G·(U·G)^(β/α), G = (αA/(βB))^(1/(α+β)): the model size whose compute-optimal token
/// count (Hoffmann et al. eq. 4) is U. Muennighoff, Rush, Barak et al. 2023, "Scaling Data-Constrained
/// Language Models" (arXiv:2305.16264), eqs. 5–7 and their released fit (a, b, e, α, β, R*_D, R*_N =
/// 6.255414, 7.3049974, 0.6254804, 0.3526596, 0.3526596, 15.387756, 5.309743 with A = eᵃ, B = eᵇ, E = eᵉ).
///
/// The law is evaluated as a compiled formula, so its derivatives are exact (forward-mode dual numbers).
/// The start search fits Chinchilla's law to the runs (with D capped at U) and sweeps R*_D and R*_N.
public struct DataConstrainedLaw: FormulaDefinedLaw, ComputeOptimalLaw {
    /// The column of unique tokens U.
    public static let uniqueTokens = "unique_tokens"
    /// The law as a compiled formula (exact derivatives by dual numbers).
    public let definition: FormulaLaw

    /// The data-constrained law of Muennighoff et al. 2023 (arXiv:2305.16264), with their parameter names.
    public init() {
        // U is the unique data available; a run sees min(D, U) unique tokens.
        let u = "min(D, U)"
        let g = "((alpha*A)/(beta*B))^(1/(alpha+beta))"
        let un = "min(N, (\(u)*\(g))^(beta/alpha)*\(g))"
        let text = "E + A/(\(un) + \(un)*RN_star*(1 - exp(-max(N/\(un) - 1, 0)/RN_star)))^alpha"
            + " + B/(\(u) + \(u)*RD_star*(1 - exp(-max(D/\(u) - 1, 0)/RD_star)))^beta"
        let summaries = ["E": "irreducible loss", "A": "scale of the model-size term", "B": "scale of the data term",
                         "alpha": "exponent of effective parameters N'", "beta": "exponent of effective data D'",
                         "RD_star": "repetitions of data after which its value decays (R*_D)",
                         "RN_star": "excess parameters' decay constant (R*_N)"]
        // The formula is fixed and well formed; a failure here is a programming error caught by the tests.
        definition = try! FormulaLaw(text, columns: [], bounds: [:], aliases: ["U": Self.uniqueTokens],
                               positive: Set(summaries.keys), summaries: summaries,
                               order: ["E", "A", "B", "alpha", "beta", "RD_star", "RN_star"])
    }

    public var name: String { "data-constrained" }
    public var formula: String {
        "L = E + A/N'^alpha + B/D'^beta, D' = U + U*RD_star*(1 - exp(-R_D/RD_star)), N' likewise from U_N = min(N, N_opt(U))"
    }
    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] { [] }

    /// Parameter vector (order E, A, B, alpha, beta, RD_star, RN_star) from named values.
    public func vector(_ values: [String: Double]) -> [Double] {
        parameterNames.map { values[$0] ?? .nan }
    }

    /// Chinchilla's law fitted with D capped at U, then R*_D and R*_N swept over a grid.
    public func initialGuesses(_ x: Inputs, response y: [Double]) -> [[Double]] {
        let n = x.columns[variables.firstIndex(of: Variable.params)!]
        let d = x.columns[variables.firstIndex(of: Variable.tokens)!]
        let u = x.columns[variables.firstIndex(of: Self.uniqueTokens)!]
        let runs = (0..<x.count).map { Run(params: n[$0], tokens: min(d[$0], u[$0]), loss: y[$0]) }
        guard let base = try? ChinchillaLaw().fit(runs) else { return [] }
        var out = [[Double]]()
        for rd in [2.0, 5, 15, 40] {
            for rn in [2.0, 5, 15, 40] {
                out.append(vector(["E": base["E"]!, "A": base["A"]!, "B": base["B"]!, "alpha": base["alpha"]!,
                                   "beta": base["beta"]!, "RD_star": rd, "RN_star": rn]))
            }
        }
        return out
    }

    /// The compute-optimal allocation with unlimited unique data (U = ∞, so every token is fresh).
    public func computeOptimum(_ t: [Double], flops: Double, flopsPerParamToken k: Double) throws(ScalingLawsError) -> ComputeOptimum {
        try Self.checked(optimum(t, flops: flops, uniqueTokens: .infinity, flopsPerParamToken: k), flopsPerParamToken: k)
    }

    /// `optimum` when N, D and the loss are finite: C/k beyond double precision (a k of 1e-300) or a
    /// degenerate law leaves none, which is an error rather than a NaN optimum.
    public static func checked(_ optimum: ComputeOptimum, flopsPerParamToken k: Double) throws(ScalingLawsError) -> ComputeOptimum {
        let n = optimum.params ?? .nan, d = optimum.tokens ?? .nan
        guard n.isFinite, d.isFinite, optimum.loss.isFinite, n > 0, d > 0 else {
            throw .invalidOption(option: .flopsPerParamToken, message: "no finite data-constrained optimum at C = \(formatQuantity(optimum.flops)) FLOPs with C = \(formatQuantity(k))·N·D (C/k = \(formatQuantity(optimum.flops / k)) tokens·parameters)")
        }
        return optimum
    }

    /// The best allocation of `flops` (C = k·N·D) when only `uniqueTokens` distinct tokens exist: minimises
    /// L(N, C/(kN), U) over N (golden-section search on ln N; not a coarse grid).
    public func optimum(_ t: [Double], flops: Double, uniqueTokens: Double, flopsPerParamToken k: Double) -> ComputeOptimum {
        let budget = flops / k
        let ui = variables.firstIndex(of: Self.uniqueTokens)!
        func loss(_ lnN: Double) -> Double {
            let nValue = exp(lnN)
            var columns = [[Double]](repeating: [0], count: 3)
            columns[variables.firstIndex(of: Variable.params)!] = [nValue]
            columns[variables.firstIndex(of: Variable.tokens)!] = [budget / nValue]
            columns[ui] = [uniqueTokens]
            return evaluate(t, Inputs(columns: columns))[0]
        }
        let best = ScalarMinimizer.minimize(loss, lo: log(budget) / 2 - 25, hi: log(budget) / 2 + 25)
        let nOpt = exp(best.x)
        return ComputeOptimum(flops: flops, params: nOpt, tokens: budget / nOpt, loss: best.value)
    }
}
