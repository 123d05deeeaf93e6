import Foundation

/// Kaplan et al.'s joint law of model size and data, L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D.
///
/// Kaplan et al. 2020, "Scaling Laws for Neural Language Models" (arXiv:2001.08361), eq. 1.5; published
/// constants α_N = 0.076, N_c = 8.8e13 (non-embedding parameters), α_D = 0.095, D_c = 5.4e13 tokens.
/// As D → ∞ it reduces to L(N) = (N_c/N)^α_N, as N → ∞ to L(D) = (D_c/D)^α_D.
///
/// Start search: for fixed exponents the law linearises, L^(1/α_D) = N_c^r·N^(−r) + D_c·D^(−1) with
/// r = α_N/α_D, so for each (α_N, α_D) on a grid the two scales are solved by LAPACK least squares.
/// Compute-optimal allocation under C = k·N·D minimises L along the iso-FLOP curve numerically.
public struct KaplanLaw: ScalingLaw, ComputeOptimalLaw {
    /// Kaplan's joint law L(N, D) = ((N_c/N)^(α_N/α_D) + D_c/D)^α_D (Kaplan et al. 2020, eq. 1.5).
    public init() {}

    public var name: String { "kaplan" }
    public var formula: String { "L = ((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D" }
    public var variables: [String] { [Variable.params, Variable.tokens] }
    public var parameters: [LawParameter] {
        [
            LawParameter("N_c", positive: true, linear: false, summary: "critical model size (non-embedding parameters)"),
            LawParameter("alpha_N", positive: true, linear: false, summary: "exponent of model size"),
            LawParameter("D_c", positive: true, linear: false, summary: "critical dataset size (tokens)"),
            LawParameter("alpha_D", positive: true, linear: false, summary: "exponent of dataset size"),
        ]
    }

    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) {
        let (nc, an, dc, ad) = (t[0], t[1], t[2], t[3])
        let lnc = log(nc)
        for i in 0..<x.count {
            let a = exp(an / ad * (lnc - x.logColumns[0][i]))
            f[i] = pow(a + dc / x.columns[1][i], ad)
        }
    }

    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) {
        let (nc, an, dc, ad) = (t[0], t[1], t[2], t[3])
        let lnc = log(nc), r = an / ad
        for i in 0..<x.count {
            let logRatio = lnc - x.logColumns[0][i]
            let a = exp(r * logRatio)
            let s = a + dc / x.columns[1][i]
            let l = pow(s, ad)
            let inner = ad * l / s          // ∂L/∂s
            j[i, 0] = inner * r * a / nc
            j[i, 1] = inner * a * logRatio / ad
            j[i, 2] = inner / x.columns[1][i]
            j[i, 3] = l * log(s) + inner * a * logRatio * (-an / (ad * ad))
        }
    }

    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) {}

    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] { [] }

    /// Linearised starts over a grid of (α_N, α_D).
    public func initialGuesses(_ x: Inputs, response y: [Double]) -> [[Double]] {
        guard x.count >= 3, y.allSatisfy({ $0 > 0 }) else { return [] }
        var out = [[Double]]()
        for ad in geometricGrid(0.02, 1.0, count: 14) {
            let z = y.map { pow($0, 1 / ad) }
            for an in geometricGrid(0.02, 1.0, count: 14) {
                let r = an / ad
                let design = Matrix(columns: [x.logColumns[0].map { exp(-r * $0) }, x.columns[1].map { 1 / $0 }])
                // Weight rows by 1/z so the linear problem approximates relative error.
                var weighted = design
                for i in 0..<x.count { weighted[i, 0] /= z[i]; weighted[i, 1] /= z[i] }
                guard let s = try? LeastSquares.solveSVD(weighted, [Double](repeating: 1, count: x.count)), s.rank == 2,
                      s.x[0] > 0, s.x[1] > 0 else { continue }
                out.append([pow(s.x[0], 1 / r), an, s.x[1], ad])
            }
        }
        return out
    }

    /// Minimises L(N, C/(kN)) over N (golden-section search on ln N).
    public func computeOptimum(_ t: [Double], flops: Double, flopsPerParamToken k: Double) throws(ScalingLawsError) -> ComputeOptimum {
        let budget = flops / k
        func loss(_ lnN: Double) -> Double {
            let n = exp(lnN)
            return evaluate(t, Inputs(columns: [[n], [budget / n]]))[0]
        }
        let best = ScalarMinimizer.minimize(loss, lo: log(budget) / 2 - 25, hi: log(budget) / 2 + 25)
        let n = exp(best.x)
        return ComputeOptimum(flops: flops, params: n, tokens: budget / n, loss: best.value)
    }
}
