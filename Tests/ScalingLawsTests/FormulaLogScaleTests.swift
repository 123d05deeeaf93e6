import Foundation
import Testing
@testable import ScalingLaws

/// A formula's scales and exponents are searched as ln θ where they start positive (the path of a built-in
/// law that declares them positive), but the user never said they are positive: the fit must still reach
/// an optimum where one of them is negative.
@Suite("Formula parameters searched on the log scale stay unrestricted")
struct FormulaLogScaleTests {
    /// Exact losses of `truth` under `formula` at the Chinchilla runs' N and D.
    func exactRuns(_ formula: FormulaLaw, _ truth: [Double]) throws -> [Run] {
        let runs = try chinchillaRuns()
        let x = try formula.trainingData(runs, flopsPerParamToken: 6, space: .linear).0
        let y = formula.evaluate(truth, x)
        #expect(y.allSatisfy { $0 > 0 })
        return zip(runs, y).map { run, loss in var r = run; r.loss = loss; return r }
    }

    @Test("Scales and exponents carry the hint; other parameters and the built-in formula laws do not")
    func hints() throws {
        let law = try FormulaLaw("E + A*N^-alpha + B*D^-beta")
        #expect(law.parameters.allSatisfy { $0.searchesLogScale })
        let shifted = try FormulaLaw("A*(N + s)^-alpha + E*exp(-c*D)")
        #expect(shifted.parameters.filter(\.searchesLogScale).map(\.name).sorted() == ["A", "E", "alpha"])
        #expect(DataConstrainedLaw().parameters.allSatisfy { !$0.searchesLogScale })
        #expect(ChinchillaLaw().parameters.allSatisfy { !$0.searchesLogScale })
    }

    @Test("A scale that must be negative is reached from a positive start")
    func negativeScale() throws {
        // L = E + A·N^(−α) + c·ln D with c < 0: the loss falls with D through c alone.
        let law = try FormulaLaw("E + A*N^-alpha + c*log(D)")
        let truth = [3.0, 400, 0.3, -0.05]
        #expect(law.parameterNames == ["E", "A", "alpha", "c"])
        let runs = try exactRuns(law, truth)
        var options = FitOptions()
        options.constraints.initial = ["c": 0.5]  // every start has c > 0: it is screened as ln c first
        let fit = try law.fit(runs, options: options)
        #expect(fit.summary.termination.isConverged)
        #expect(fit.objectiveValue! < 1e-16)
        for (j, t) in truth.enumerated() {
            #expect(relativeError(fit.parameters[j], t) < 1e-6, "\(law.parameterNames[j]) = \(fit.parameters[j])")
        }
        // Bounded at 0 by the user, the same fit stays positive and fits worse: the bound is theirs to set.
        options.constraints.bounds = ["c": ClosedBounds(0, .infinity)]
        let bounded = try law.fit(runs, options: options)
        #expect(bounded.parameters[3] >= 0)
        #expect(bounded.objectiveValue! > 1e-6)
    }

    @Test("An exponent that must be negative is reached from a positive start")
    func negativeExponent() throws {
        // Written as a decay in D, the data grow with D: β = −0.1.
        let law = try FormulaLaw("A*N^-alpha + B*D^-beta")
        let truth = [400.0, 0.3, 0.02, -0.1]
        let runs = try exactRuns(law, truth)
        var options = FitOptions()
        options.constraints.initial = ["beta": 0.3]  // every start has β > 0: it is screened as ln β first
        let fit = try law.fit(runs, options: options)
        #expect(fit.summary.termination.isConverged)
        #expect(fit.objectiveValue! < 1e-16)
        for (j, t) in truth.enumerated() {
            #expect(relativeError(fit.parameters[j], t) < 1e-6, "\(law.parameterNames[j]) = \(fit.parameters[j])")
        }
    }
}
