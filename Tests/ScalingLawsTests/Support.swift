import Foundation
import ScalingLaws
import Testing

/// Repository root, found from this file's path (tests read only files inside the repository).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The bundled Chinchilla Figure 4 runs (see Examples/data/README.md).
func chinchillaRuns(_ file: String = "chinchilla_fig4_fitset.csv") throws -> [Run] {
    let path = repositoryRoot.appendingPathComponent("Examples/data/\(file)").path
    let table = try CSVTable(contentsOf: path)
    return try RunTable.runs(from: table, variables: ChinchillaLaw().variables)
}

/// Whether the slow tests run: `SCALING_SLOW_TESTS=1 swift test` (the Testing article lists them).
let slowTestsEnabled = ProcessInfo.processInfo.environment["SCALING_SLOW_TESTS"] != nil

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

/// The coverage studies' synthetic world: Hoffmann et al.'s published law on an 8 × 6 ladder (50M–5B
/// parameters, 5–100 tokens per parameter), and Chinchilla itself (70B on 1.4T tokens) as the target.
struct SyntheticChinchillaLadder {
    let truth = [1.69, 406.4, 410.7, 0.34, 0.28]
    let law = ChinchillaLaw()
    let target = Run(params: 7e10, tokens: 1.4e12)
    let ladder = syntheticLadder(sizes: geometric(5e7, 5e9, 8), ratios: geometric(5, 100, 6))
    var trueLoss: Double { law.evaluate(truth, Inputs(columns: [[7e10], [1.4e12]]))[0] }

    /// The ladder's losses with log-normal noise of `sigma` drawn from `rng`.
    func runs(sigma: Double = 0.01, rng: inout SeededGenerator) -> [Run] {
        let clean = law.evaluate(truth, Inputs(columns: [ladder.map { $0.params! }, ladder.map { $0.tokens! }]))
        var runs = ladder
        for i in runs.indices { runs[i].loss = clean[i] * exp(sigma * rng.nextNormal()) }
        return runs
    }
}

/// Expects `law`'s analytic Jacobian at `theta` and inputs `x` to match central differences with step
/// `relativeStep`·max(|θ_p|, 1e-3), each entry within `tolerance`·max(1, |numeric|).
func expectJacobianMatchesCentralDifferences(_ law: some ScalingLaw, _ theta: [Double], _ x: Inputs,
                                             relativeStep: Double, tolerance: Double,
                                             sourceLocation: SourceLocation = #_sourceLocation) {
    var j = Matrix(rows: x.count, columns: theta.count)
    law.jacobian(theta, x, into: &j)
    for p in theta.indices {
        let h = relativeStep * max(abs(theta[p]), 1e-3)
        var up = theta, down = theta
        up[p] += h
        down[p] -= h
        let fu = law.evaluate(up, x), fd = law.evaluate(down, x)
        for i in 0..<x.count {
            let numeric = (fu[i] - fd[i]) / (2 * h)
            #expect(abs(j[i, p] - numeric) <= tolerance * max(1, abs(numeric)),
                    "\(law.name) ∂/∂\(law.parameterNames[p]) at point \(i): \(j[i, p]) vs \(numeric)", sourceLocation: sourceLocation)
        }
    }
}
