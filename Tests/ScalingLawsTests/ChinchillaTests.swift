import Foundation
import Testing
@testable import ScalingLaws

@Suite("Chinchilla L(N, D) on real and synthetic data")
struct ChinchillaTests {
    @Test("Reproduces Besiroglu et al. 2024 on the 240 Chinchilla Figure 4 runs")
    func realData() throws {
        let runs = try chinchillaRuns()
        #expect(runs.count == 240)
        let fit = try ChinchillaLaw().fit(runs)
        // Published grid fit: objective 0.0010182740, E 1.817236, A 477.8417, B 2143.8638,
        // alpha 0.347313, beta 0.367183 (Examples/data/README.md).
        let objective = try #require(fit.objectiveValue)
        #expect(objective <= 0.00101828)
        #expect(abs(fit["alpha"]! - 0.3473) < 0.001)
        #expect(abs(fit["beta"]! - 0.3672) < 0.001)
        #expect(abs(fit["E"]! - 1.8172) < 0.001)
        #expect(relativeError(fit["A"]!, 477.8) < 0.01)
        #expect(relativeError(fit["B"]!, 2143.9) < 0.02)
        #expect(fit.summary.termination.isConverged)
        // The variable-projection starts should agree on the optimum.
        #expect(fit.search.agreeing >= fit.search.polished / 2)
        #expect(fit.objective.definition.contains("Huber(delta=0.001)"))
    }

    @Test("Hoffmann et al.'s published law gives N_opt 3.249e10, D_opt 3.016e12, loss 1.930 at 5.88e23 FLOPs")
    func publishedOptimum() throws {
        let law = try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28])
        let o = try law.computeOptimum(flops: 5.88e23)
        #expect(relativeError(o.params!, 3.249e10) < 1e-3)
        #expect(relativeError(o.tokens!, 3.016e12) < 1e-3)
        #expect(relativeError(o.loss, 1.930) < 1e-3)
        // The budget is spent exactly: 6·N·D = C.
        #expect(relativeError(6 * o.params! * o.tokens!, 5.88e23) < 1e-12)
    }

    @Test("The closed-form optimum is the minimum of L along the iso-FLOP curve")
    func optimumIsMinimum() throws {
        let theta = ["E": 1.8172, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658]
        let law = try FitResult(law: ChinchillaLaw(), parameters: theta)
        let c = 1e22
        let o = try law.computeOptimum(flops: c)
        for factor in [0.9, 0.99, 1.01, 1.1] {
            let n = o.params! * factor
            let loss = try law.predict([Run(params: n, flops: c)])[0]
            #expect(loss > o.loss)
        }
    }

    @Test("Noiseless synthetic data recovers the parameters to 1e-6 relative")
    func noiseless() throws {
        let truth = [1.69, 406.4, 410.7, 0.34, 0.28]
        let law = ChinchillaLaw()
        var runs = syntheticLadder(sizes: geometric(4e7, 1.6e10, 9), ratios: [2, 5, 10, 20, 40, 80, 160])
        let losses = law.evaluate(truth, Inputs(columns: [runs.map { $0.params! }, runs.map { $0.tokens! }]))
        for i in runs.indices { runs[i].loss = losses[i] }
        let fit = try law.fit(runs)
        for (j, t) in truth.enumerated() {
            #expect(relativeError(fit.parameters[j], t) < 1e-6, "\(law.parameterNames[j])")
        }
    }

    /// Tolerance: with multiplicative noise ε ~ N(0, σ²) on the loss, the estimator is asymptotically
    /// normal with covariance c·σ²(JᵀJ)⁻¹, J = ∂ln L/∂θ at the truth; c = π/2 for Huber with δ ≪ σ
    /// (least absolute deviations: asymptotic efficiency 2/π relative to least squares). Each parameter
    /// must land within 5 standard errors: a false failure has probability < 1e-6 per parameter, while
    /// a solver stuck on the (A, α) or (B, β) ridge lands far outside.
    @Test("1% multiplicative noise: every parameter within 5 asymptotic standard errors", arguments: [11 as UInt64, 12, 13])
    func noisy(seed: UInt64) throws {
        let truth = [1.69, 406.4, 410.7, 0.34, 0.28]
        let law = ChinchillaLaw()
        var runs = syntheticLadder(sizes: geometric(4e7, 1.6e10, 12), ratios: geometric(2, 200, 10))
        let losses = law.evaluate(truth, Inputs(columns: [runs.map { $0.params! }, runs.map { $0.tokens! }]))
        var rng = SplitMix64(seed: seed)
        for i in runs.indices { runs[i].loss = losses[i] * exp(0.01 * rng.normal()) }
        let fit = try law.fit(runs)
        let se = try logSpaceStandardErrors(law: law, theta: truth, runs: runs, sigma: 0.01 * (Double.pi / 2).squareRoot())
        for (j, t) in truth.enumerated() {
            #expect(abs(fit.parameters[j] - t) < 5 * se[j], "\(law.parameterNames[j]) = \(fit.parameters[j]), truth \(t) ± \(se[j])")
        }
    }

    @Test("Fixing parameters holds them and refits the rest")
    func fixed() throws {
        let runs = try chinchillaRuns()
        var options = FitOptions()
        options.fixed = ["alpha": 0.34, "beta": 0.28]
        let fit = try ChinchillaLaw().fit(runs, options: options)
        #expect(fit["alpha"] == 0.34)
        #expect(fit["beta"] == 0.28)
        #expect(fit.fixed == ["alpha", "beta"])
        // A constrained fit cannot beat the unconstrained optimum.
        #expect(fit.objectiveValue! > 0.0010182)
    }

    @Test("Every parameter fixed: the objective is evaluated on the data, nothing is fitted")
    func allFixed() throws {
        let runs = try chinchillaRuns()
        var options = FitOptions()
        options.fixed = ["E": 1.817236, "A": 477.8417, "B": 2143.8638, "alpha": 0.347313, "beta": 0.367183]
        let fit = try ChinchillaLaw().fit(runs, options: options)
        #expect(fit.summary.termination == .nothingToFit)
        #expect(abs(fit.objectiveValue! - 0.0010182740) < 1e-9)
    }

    @Test("Bad fixed parameters are clear errors")
    func badFixed() throws {
        let runs = try chinchillaRuns()
        var options = FitOptions()
        options.fixed = ["gamma": 1]
        #expect(throws: ScalingLawsError.self) { try ChinchillaLaw().fit(runs, options: options) }
        options.fixed = ["E": -1]
        #expect(throws: ScalingLawsError.self) { try ChinchillaLaw().fit(runs, options: options) }
        #expect(throws: ScalingLawsError.self) { try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.7]) }
    }

    @Test("Too few runs for five free parameters")
    func tooFew() throws {
        let runs = Array(try chinchillaRuns().prefix(5))
        #expect(throws: ScalingLawsError.tooFewRuns(law: "chinchilla", needed: 6, found: 5)) {
            try ChinchillaLaw().fit(runs)
        }
    }

    @Test("Other objectives fit and say which objective produced the number")
    func objectives() throws {
        let runs = try chinchillaRuns()
        let mse = try ChinchillaLaw().fit(runs, options: FitOptions(objective: Objective(loss: .mse, space: .log)))
        let linear = try ChinchillaLaw().fit(runs, options: FitOptions(objective: Objective(loss: .mse, space: .linear)))
        #expect(mse.summary.termination.isConverged && linear.summary.termination.isConverged)
        #expect(mse.objective.definition == "mean over runs of (ln(y) - ln(y_hat))^2")
        #expect(linear.objective.definition == "mean over runs of (y - y_hat)^2")
        // The objective moves the answer: different optima on the same data.
        #expect(abs(mse["alpha"]! - linear["alpha"]!) > 1e-4)
        // The reported value is the mean squared residual at the optimum.
        let mean = mse.residuals.reduce(0) { $0 + $1 * $1 } / Double(mse.residuals.count)
        #expect(abs(mse.objectiveValue! - mean) < 1e-15)
    }

    @Test("A fit survives the JSON record round trip")
    func recordRoundTrip() throws {
        let fit = try ChinchillaLaw().fit(try chinchillaRuns())
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fit-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try fit.write(to: path)
        let back = try FitResult(contentsOf: path)
        #expect(back.parameters == fit.parameters)
        #expect(back.law.name == "chinchilla")
        #expect(back.objectiveValue == fit.objectiveValue)
        #expect(try back.computeOptimum(flops: 1e23) == fit.computeOptimum(flops: 1e23))
    }
}
