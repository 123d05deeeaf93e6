import Foundation

/// Chinchilla parametric loss L(N, D) = E + A / N^α + B / D^β.
///
/// Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models" (arXiv:2203.15556), eq. 2 and
/// Approach 3; replicated by Besiroglu et al. 2024, "Chinchilla Scaling: A replication attempt"
/// (arXiv:2404.10102). N is the number of model parameters, D the number of training tokens, E the
/// irreducible loss. E, A and B enter linearly: the start search solves them by least squares for each
/// (α, β) on a grid (variable projection), then all five are polished jointly. This matters: the
/// objective has long flat ridges along (A, α) and (B, β), where generic multi-start optimisers mostly fail.
///
/// Compute-optimal allocation under C = k·N·D (Hoffmann et al. eq. 4, with k = 6 there):
/// G = (αA / (βB))^(1/(α+β)), N_opt = G·(C/k)^(β/(α+β)), D_opt = G⁻¹·(C/k)^(α/(α+β)).
public struct ChinchillaLaw: ScalingLaw, ComputeOptimalLaw {
    /// Chinchilla's law L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022).
    public init() {}

    public var name: String { "chinchilla" }
    public var formula: String { "L = E + A / N^alpha + B / D^beta" }
    public var variables: [String] { [Variable.params, Variable.tokens] }
    public var parameters: [LawParameter] {
        [
            LawParameter("E", positive: true, linear: true, summary: "irreducible loss"),
            LawParameter("A", positive: true, linear: true, summary: "scale of the model-size term"),
            LawParameter("B", positive: true, linear: true, summary: "scale of the data term"),
            LawParameter("alpha", positive: true, linear: false, summary: "exponent of model size N"),
            LawParameter("beta", positive: true, linear: false, summary: "exponent of training tokens D"),
        ]
    }

    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) {
        let ln = x.logColumns[0], ld = x.logColumns[1]
        for i in 0..<x.count {
            f[i] = t[0] + t[1] * exp(-t[3] * ln[i]) + t[2] * exp(-t[4] * ld[i])
        }
    }

    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) {
        let ln = x.logColumns[0], ld = x.logColumns[1]
        for i in 0..<x.count {
            let pn = exp(-t[3] * ln[i]), pd = exp(-t[4] * ld[i])
            j[i, 0] = 1
            j[i, 1] = pn
            j[i, 2] = pd
            j[i, 3] = -t[1] * ln[i] * pn
            j[i, 4] = -t[2] * ld[i] * pd
        }
    }

    /// The value and the Jacobian from the same N^−α and D^−β (the same bits as the two calls).
    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double], jacobian j: inout Matrix) {
        let ln = x.logColumns[0], ld = x.logColumns[1]
        for i in 0..<x.count {
            let pn = exp(-t[3] * ln[i]), pd = exp(-t[4] * ld[i])
            f[i] = t[0] + t[1] * pn + t[2] * pd
            j[i, 0] = 1
            j[i, 1] = pn
            j[i, 2] = pd
            j[i, 3] = -t[1] * ln[i] * pn
            j[i, 4] = -t[2] * ld[i] * pd
        }
    }

    public var evaluatesJacobianWithValue: Bool { true }

    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) {
        let ln = x.logColumns[0], ld = x.logColumns[1]
        for i in 0..<x.count {
            b[i, 0] = 1
            b[i, 1] = exp(-t[3] * ln[i])
            b[i, 2] = exp(-t[4] * ld[i])
        }
    }

    /// E's column is 1, A's reads α and B's reads β; no part of L is free of E, A and B.
    public var basisStructure: BasisStructure? { BasisStructure(columnParameters: [[], [3], [4]], hasOffset: false) }

    public func basisColumn(_ k: Int, _ t: [Double], _ x: Inputs, into c: inout [Double]) {
        switch k {
        case 0: for i in 0..<x.count { c[i] = 1 }
        case 1: let ln = x.logColumns[0]; for i in 0..<x.count { c[i] = exp(-t[3] * ln[i]) }
        default: let ld = x.logColumns[1]; for i in 0..<x.count { c[i] = exp(-t[4] * ld[i]) }
        }
    }

    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        let grid = geometricGrid(0.02, 2.5, count: 16)
        return grid.flatMap { a in grid.map { b in [0, 0, 0, a, b] } }
    }

    /// The compute-optimal exponents: N_opt ∝ C^a and D_opt ∝ C^b with a = β/(α+β), b = α/(α+β)
    /// (Hoffmann et al. 2022, eq. 4; Besiroglu et al. 2024 report a = 0.513 ± 0.020 on the Figure 4 runs).
    public func derivedQuantities(_ t: [Double]) -> [DerivedQuantity] {
        let (alpha, beta) = (t[3], t[4])
        return [DerivedQuantity("a", beta / (alpha + beta), summary: "compute-optimal N grows as C^a (a = beta/(alpha+beta))"),
                DerivedQuantity("b", alpha / (alpha + beta), summary: "compute-optimal D grows as C^b (b = alpha/(alpha+beta))")]
    }

    /// Closed-form compute-optimal N and D for `flops` = k·N·D (Hoffmann et al. 2022, eq. 4).
    public func computeOptimum(_ t: [Double], flops: Double, flopsPerParamToken k: Double) -> ComputeOptimum {
        let (e, a, b, alpha, beta) = (t[0], t[1], t[2], t[3], t[4])
        let g = pow(alpha * a / (beta * b), 1 / (alpha + beta))
        let n = g * pow(flops / k, beta / (alpha + beta))
        let d = pow(flops / k, alpha / (alpha + beta)) / g
        let loss = e + a * pow(n, -alpha) + b * pow(d, -beta)
        return ComputeOptimum(flops: flops, params: n, tokens: d, loss: loss)
    }
}
