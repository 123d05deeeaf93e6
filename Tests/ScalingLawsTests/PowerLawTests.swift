import Foundation
import Testing
@testable import ScalingLaws

@Suite("One-variable laws: power and saturating")
struct PowerLawTests {
    func runs(x: [Double], y: [Double]) -> [Run] {
        zip(x, y).map { Run(flops: $0, loss: $1) }
    }

    @Test("Power law: noiseless data recovered to 1e-6 relative")
    func powerNoiseless() throws {
        let law = PowerLaw(x: Variable.flops)
        let x = geometric(1e17, 1e22, 15)
        let truth = [2.6e2, 0.05]   // Kaplan-like L(C) = (C_c/C)^0.050
        let fit = try law.fit(runs(x: x, y: law.evaluate(truth, Inputs(columns: [x]))))
        #expect(relativeError(fit["A"]!, truth[0]) < 1e-6)
        #expect(relativeError(fit["alpha"]!, truth[1]) < 1e-6)
    }

    @Test("Power law with log MSE is exactly the log-log linear regression")
    func powerIsLinearRegression() throws {
        let x = geometric(1e6, 1e10, 12)
        var rng = SplitMix64(seed: 5)
        let y = x.map { 30 * pow($0, -0.076) * exp(0.02 * rng.normal()) }
        let fit = try PowerLaw(x: Variable.flops).fit(runs(x: x, y: y), options: FitOptions(objective: Objective(loss: .mse, space: .log)))
        // Closed-form simple regression of ln y on ln x.
        let lx = x.map { log($0) }, ly = y.map { log($0) }
        let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
        let slope = zip(lx, ly).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) } / lx.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        let intercept = my - slope * mx
        #expect(abs(fit["alpha"]! + slope) < 1e-9)
        #expect(relativeError(fit["A"]!, exp(intercept)) < 1e-8)
    }

    @Test("Saturating law: noiseless data recovered to 1e-6 relative")
    func saturatingNoiseless() throws {
        let law = SaturatingPowerLaw(x: Variable.flops)
        let x = geometric(1e17, 1e22, 15)
        let truth = [1.69, 1.2e3, 0.155]
        let fit = try law.fit(runs(x: x, y: law.evaluate(truth, Inputs(columns: [x]))))
        for (j, t) in truth.enumerated() { #expect(relativeError(fit.parameters[j], t) < 1e-6) }
    }

    /// Same tolerance argument as the Chinchilla noisy test: 5 asymptotic standard errors of the
    /// log-space fit, inflated by √(π/2) for the Huber (≈ least absolute deviations) objective.
    @Test("1% noise: power and saturating parameters within 5 standard errors", arguments: [1 as UInt64, 2, 3])
    func noisy(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let x = geometric(1e17, 1e23, 40)
        let sigma = 0.01 * (Double.pi / 2).squareRoot()
        for (law, truth) in [(SaturatingPowerLaw(x: Variable.flops) as any ScalingLaw, [1.69, 1.2e3, 0.155]),
                             (PowerLaw(x: Variable.flops), [2.6e2, 0.05])] {
            let clean = law.evaluate(truth, Inputs(columns: [x]))
            let data = runs(x: x, y: clean.map { $0 * exp(0.01 * rng.normal()) })
            let fit = try law.fit(data)
            let se = try logSpaceStandardErrors(law: law, theta: truth, runs: data, sigma: sigma)
            for (j, t) in truth.enumerated() {
                #expect(abs(fit.parameters[j] - t) < 5 * se[j], "\(law.name).\(law.parameterNames[j]) = \(fit.parameters[j]), truth \(t) ± \(se[j])")
            }
        }
    }

    @Test("Saturating law on flops gives the loss a budget reaches; on params it refuses")
    func saturatingOptimum() throws {
        let law = try FitResult(law: SaturatingPowerLaw(x: Variable.flops), parameters: ["E": 1.7, "A": 1000, "alpha": 0.15])
        let o = try law.computeOptimum(flops: 1e24)
        #expect(abs(o.loss - (1.7 + 1000 * pow(1e24, -0.15))) < 1e-12)
        #expect(o.params == nil)
        let onParams = try FitResult(law: SaturatingPowerLaw(x: Variable.params), parameters: ["E": 1.7, "A": 1000, "alpha": 0.15])
        #expect(throws: ScalingLawsError.self) { try onParams.computeOptimum(flops: 1e24) }
        let power = try FitResult(law: PowerLaw(), parameters: ["A": 10, "alpha": 0.05])
        #expect(throws: ScalingLawsError.self) { try power.computeOptimum(flops: 1e24) }
    }

    @Test("A one-variable law can read any numeric CSV column")
    func customColumn() throws {
        let table = try CSVTable(text: "steps,loss\n100,3.0\n200,2.7\n400,2.45\n800,2.3\n1600,2.21\n", source: "curve.csv")
        let law = SaturatingPowerLaw(x: "steps")
        let runs = try RunTable.runs(from: table, variables: law.variables)
        let fit = try law.fit(runs)
        #expect(fit.summary.termination.isConverged)
        #expect(fit["E"]! < 2.21)
    }

    @Test("Catalogue builds every law and rejects unknown names")
    func catalogue() throws {
        for name in LawCatalog.names where name != "formula" { #expect(try LawCatalog.law(named: name).name == name) }
        #expect(try LawCatalog.law(named: "formula", configuration: ["formula": "E + A*N^-alpha"]).parameterNames == ["E", "A", "alpha"])
        #expect(throws: ScalingLawsError.self) { try LawCatalog.law(named: "kaplan-ish") }
        #expect(throws: ScalingLawsError.self) { try LawCatalog.law(named: "chinchilla", x: "flops") }
    }

    @Test("Every law's Jacobian matches central differences")
    func jacobians() throws {
        let cases: [(any ScalingLaw, [Double], [[Double]])] = [
            (PowerLaw(), [260, 0.05], [[1e18, 3e20, 5e21]]),
            (SaturatingPowerLaw(), [1.7, 1200, 0.15], [[1e18, 3e20, 5e21]]),
            (ChinchillaLaw(), [1.69, 406.4, 410.7, 0.34, 0.28], [[1e8, 1e9, 7e10], [2e9, 2e10, 1.4e12]]),
            (KaplanLaw(), [8.8e13, 0.076, 5.4e13, 0.095], [[1e8, 1e9, 7e10], [2e9, 2e10, 1.4e12]]),
            // Formulas differentiate by dual numbers, through every operation and function.
            (try FormulaLaw("E + A*exp(-alpha*log(N)) + B/sqrt(D)^beta - min(c, 1)*max(N/D, 0.01)"),
             [1.7, 400, 0.34, 410, 0.56, 0.3], [[1e8, 1e9, 7e10], [2e9, 2e10, 1.4e12]]),
            (try BrokenPowerLaw(x: "steps", breaks: 2), [1.5, 10, 0.05, 0.4, 1e4, 0.3, 0.2, 1e5, 0.5], [[1e3, 3e4, 2e5]]),
        ]
        for (law, theta, cols) in cases {
            expectJacobianMatchesCentralDifferences(law, theta, Inputs(columns: cols), relativeStep: 1e-6, tolerance: 1e-6)
        }
    }
}
