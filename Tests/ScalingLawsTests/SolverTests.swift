import Foundation
import Testing
@testable import ScalingLaws

@Suite("Levenberg–Marquardt solver")
struct SolverTests {
    @Test("Robust losses: ψ is the derivative of ρ, and w = ψ/r", arguments: [
        RobustLoss.squared, .huber(delta: 0.3), .softL1(delta: 0.5), .cauchy(delta: 0.7), .asymmetric(tau: 0.2),
    ])
    func lossDerivatives(loss: RobustLoss) {
        for r in [-2.0, -0.31, -0.1, 0.05, 0.29, 0.6, 3.0] {
            let h = 1e-6
            let numeric = (loss.rho(r + h) - loss.rho(r - h)) / (2 * h)
            #expect(abs(numeric - loss.psi(r)) < 1e-7)
            #expect(abs(loss.weight(r) * r - loss.psi(r)) < 1e-14)
            let numericSlope = (loss.psi(r + h) - loss.psi(r - h)) / (2 * h)
            #expect(abs(numericSlope - loss.psiPrime(r)) < 1e-6)
        }
        #expect(loss.rho(0) == 0)
    }

    @Test("Huber matches scipy.special.huber")
    func huberValues() {
        let h = RobustLoss.huber(delta: 1e-3)
        #expect(h.rho(5e-4) == 0.5 * 5e-4 * 5e-4)
        #expect(abs(h.rho(-0.01) - 1e-3 * (0.01 - 0.5e-3)) < 1e-18)
    }

    /// Exponential decay y = a·exp(−b t): a standard nonlinear problem with a known answer.
    func decayProblem(a: Double, b: Double, noise: [Double]) -> LeastSquaresProblem {
        let t = (0..<noise.count).map { Double($0) * 0.5 }
        let y = zip(t, noise).map { a * exp(-b * $0) + $1 }
        return LeastSquaresProblem(
            residualCount: t.count, parameterCount: 2,
            residuals: { u, r in
                for i in t.indices { r[i] = y[i] - u[0] * exp(-u[1] * t[i]) }
                return true
            },
            jacobian: { u, j in
                for i in t.indices {
                    let e = exp(-u[1] * t[i])
                    j[i, 0] = -e
                    j[i, 1] = u[0] * t[i] * e
                }
            })
    }

    @Test("Zero-residual problem converges to the exact parameters from a poor start")
    func zeroResidual() {
        let problem = decayProblem(a: 3, b: 0.7, noise: Array(repeating: 0, count: 20))
        let result = LevenbergMarquardt.solve(problem, from: [1, 0.05])
        #expect(result.summary.termination.isConverged)
        #expect(abs(result.parameters[0] - 3) < 1e-10)
        #expect(abs(result.parameters[1] - 0.7) < 1e-10)
        #expect(result.summary.finalCost < 1e-20)
        #expect(result.summary.initialCost > result.summary.finalCost)
    }

    @Test("Huber fit resists a gross outlier that pulls ordinary least squares away")
    func robustOutlier() {
        var noise = Array(repeating: 0.0, count: 20)
        noise[3] = 5  // one gross outlier
        let problem = decayProblem(a: 3, b: 0.7, noise: noise)
        var options = SolverOptions()
        let plain = LevenbergMarquardt.solve(problem, from: [1, 0.1], options: options)
        options.loss = .huber(delta: 0.01)
        let robust = LevenbergMarquardt.solve(problem, from: [1, 0.1], options: options)
        #expect(robust.summary.termination.isConverged)
        #expect(abs(robust.parameters[0] - 3) < 0.05)
        #expect(abs(plain.parameters[0] - 3) > 0.2)
    }

    @Test("An undefined start is reported, not trapped")
    func invalidStart() {
        let problem = LeastSquaresProblem(
            residualCount: 1, parameterCount: 1,
            residuals: { _, _ in false }, jacobian: { _, _ in })
        let result = LevenbergMarquardt.solve(problem, from: [0])
        #expect(result.summary.termination == .invalidStart)
        #expect(!result.summary.termination.isConverged)
    }

    @Test("The iteration limit is reported as not converged")
    func iterationLimit() {
        let problem = decayProblem(a: 3, b: 0.7, noise: Array(repeating: 0, count: 20))
        var options = SolverOptions()
        options.maxIterations = 2
        let result = LevenbergMarquardt.solve(problem, from: [1, 0.05], options: options)
        #expect(result.summary.termination == .maxIterations)
        #expect(result.summary.iterations <= 2)
    }
}
