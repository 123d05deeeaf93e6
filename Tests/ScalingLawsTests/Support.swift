import Foundation
import ScalingLaws

/// Repository root, found from this file's path (tests read only files inside the repository).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The bundled Chinchilla Figure 4 runs (see Examples/data/README.md).
func chinchillaRuns(_ file: String = "chinchilla_fig4_fitset.csv") throws -> [Run] {
    let path = repositoryRoot.appendingPathComponent("Examples/data/\(file)").path
    let table = try CSVTable(contentsOf: path)
    return try RunTable.runs(from: table, variables: ChinchillaLaw().variables)
}

/// Seeded generator for synthetic data (the library's, so tests and library draw alike).
typealias SplitMix64 = SeededGenerator

extension SeededGenerator {
    mutating func normal() -> Double { nextNormal() }
}

/// Relative difference |a − b| / |b|.
func relativeError(_ a: Double, _ b: Double) -> Double { abs(a - b) / abs(b) }

/// Asymptotic standard errors of a log-space least-squares fit with noise σ on ln y:
/// Cov(θ̂) = σ² (JᵀJ)⁻¹ with J = ∂ ln f / ∂θ at the true parameters (Seber & Wild 1989, §2.1),
/// computed through the SVD J = U S Vᵀ so that (JᵀJ)⁻¹ = V S⁻² Vᵀ.
func logSpaceStandardErrors(law: some ScalingLaw, theta: [Double], runs: [Run], sigma: Double) throws -> [Double] {
    let columns = law.variables.map { v in runs.map { $0.value(of: v)! } }
    let x = Inputs(columns: columns)
    let f = law.evaluate(theta, x)
    var j = Matrix(rows: x.count, columns: theta.count)
    law.jacobian(theta, x, into: &j)
    for c in 0..<theta.count { for i in 0..<x.count { j[i, c] /= f[i] } }
    let (_, s, vt) = try LeastSquares.svd(j)
    return (0..<theta.count).map { p in
        var v = 0.0
        for k in 0..<s.count { v += vt[k, p] * vt[k, p] / (s[k] * s[k]) }
        return sigma * v.squareRoot()
    }
}

/// A synthetic ladder: `sizes` model sizes × `ratios` tokens-per-parameter values.
func syntheticLadder(sizes: [Double], ratios: [Double]) -> [Run] {
    sizes.flatMap { n in ratios.map { r in Run(params: n, tokens: n * r).completed(flopsPerParamToken: 6) } }
}

func geometric(_ lo: Double, _ hi: Double, _ count: Int) -> [Double] {
    (0..<count).map { exp(log(lo) + (log(hi) - log(lo)) * Double($0) / Double(count - 1)) }
}
