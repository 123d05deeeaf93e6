import Foundation
import Testing
@testable import ScalingLaws

@Suite("More law families and user formulas")
struct LawFamilyTests {
    /// Muennighoff et al. 2023's released fit and two worked examples from their repository's README.
    @Test("The data-constrained law reproduces the published worked examples to 1e-12")
    func dataConstrainedWorkedExamples() throws {
        let law = DataConstrainedLaw()
        let t = law.vector(["E": exp(0.6254804), "A": exp(6.255414), "B": exp(7.3049974), "alpha": 0.3526596,
                            "beta": 0.3526596, "RD_star": 15.387756, "RN_star": 5.309743])
        let fit = try FitResult(law: law, parameters: Dictionary(uniqueKeysWithValues: zip(law.parameterNames, t)))
        let losses = try fit.predict([
            Run(params: 6.34e9, tokens: 242e9, values: ["unique_tokens": 25e9]),
            Run(params: 8.67e9, tokens: 178e9, values: ["unique_tokens": 25e9]),
        ])
        #expect(relativeError(losses[0], 2.2256440889984477) < 1e-12, "\(losses[0])")
        #expect(relativeError(losses[1], 2.2269634075087867) < 1e-12, "\(losses[1])")
    }

    @Test("A Chinchilla formula reaches the built-in law's objective within 1e-9")
    func chinchillaFormula() throws {
        let runs = try chinchillaRuns()
        let builtIn = try ChinchillaLaw().fit(runs)
        let law = try FormulaLaw("E + A*N^-alpha + B*D^-beta")
        #expect(law.parameters.filter(\.isLinear).map(\.name) == ["E", "A", "B"])
        let fit = try law.fit(runs)
        #expect(relativeError(fit.objectiveValue!, builtIn.objectiveValue!) < 1e-9, "\(fit.objectiveValue!) vs \(builtIn.objectiveValue!)")
        #expect(abs(fit["alpha"]! - builtIn["alpha"]!) < 1e-4)
    }
}
