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

@Suite("Law families: recovery, constraints and formula errors")
struct LawFamilyRecoveryTests {
    static let kaplanTruth = [8.8e13, 0.076, 5.4e13, 0.095]

    func kaplanRuns(noise: Double, seed: UInt64 = 3) -> [Run] {
        let law = KaplanLaw()
        var runs = syntheticLadder(sizes: geometric(1e7, 1e10, 8), ratios: geometric(1, 300, 8))
        let clean = law.evaluate(Self.kaplanTruth, Inputs(columns: [runs.map { $0.params! }, runs.map { $0.tokens! }]))
        var rng = SeededGenerator(seed: seed)
        for i in runs.indices { runs[i].loss = clean[i] * exp(noise * rng.nextNormal()) }
        return runs
    }

    @Test("Kaplan's joint law: noiseless recovery to 1e-6, and its limits are the one-variable laws")
    func kaplan() throws {
        let fit = try KaplanLaw().fit(kaplanRuns(noise: 0))
        for (j, t) in Self.kaplanTruth.enumerated() { #expect(relativeError(fit.parameters[j], t) < 1e-6, "\(j)") }
        let law = KaplanLaw()
        let bigD = law.evaluate(Self.kaplanTruth, Inputs(columns: [[1e9], [1e40]]))[0]
        #expect(relativeError(bigD, pow(8.8e13 / 1e9, 0.076)) < 1e-9)
        let bigN = law.evaluate(Self.kaplanTruth, Inputs(columns: [[1e40], [1e10]]))[0]
        #expect(relativeError(bigN, pow(5.4e13 / 1e10, 0.095)) < 1e-9)
        // The numeric compute optimum beats its neighbours along the iso-FLOP curve.
        let given = try FitResult(law: law, parameters: Dictionary(uniqueKeysWithValues: zip(law.parameterNames, Self.kaplanTruth)))
        let o = try given.computeOptimum(flops: 1e21)
        for factor in [0.8, 1.25] {
            let n = o.params! * factor
            #expect(try given.predict([Run(params: n, flops: 1e21)])[0] > o.loss)
        }
    }

    @Test("A Kaplan-joint formula matches the built-in Kaplan law")
    func kaplanFormula() throws {
        let runs = kaplanRuns(noise: 0.01)
        let builtIn = try KaplanLaw().fit(runs)
        let formula = try FormulaLaw("((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D")
        var options = FitOptions()
        options.constraints.initial = ["N_c": 1e13, "D_c": 1e13]
        let fit = try formula.fit(runs, options: options)
        #expect(relativeError(fit.objectiveValue!, builtIn.objectiveValue!) < 1e-8)
        for name in ["N_c", "alpha_N", "D_c", "alpha_D"] {
            #expect(relativeError(fit[name]!, builtIn[name]!) < 1e-4, "\(name): \(fit[name]!) vs \(builtIn[name]!)")
        }
    }

    @Test("BNSL recovers a one-break curve and extrapolates past the break better than a power law")
    func bnsl() throws {
        let truth = [1.5, 10, 0.05, 0.4, 1e4, 0.3]
        let law = try BrokenPowerLaw(x: "steps", breaks: 1)
        let xs = geometric(1e2, 1e7, 50)
        let ys = law.evaluate(truth, Inputs(columns: [xs]))
        var rng = SeededGenerator(seed: 9)
        let runs = zip(xs, ys).map { Run(loss: $1 * exp(0.003 * rng.nextNormal()), values: ["steps": $0]) }
        let train = runs.filter { $0.values["steps"]! <= 2e5 }
        let test = runs.filter { $0.values["steps"]! > 2e5 }
        let broken = try law.fit(train)
        #expect(abs(broken["d1"]! / 1e4 - 1) < 0.2)
        #expect(abs(broken["c1"]! - 0.4) < 0.05)
        let power = try SaturatingPowerLaw(x: "steps").fit(train)
        func mare(_ f: FitResult) throws -> Double {
            let p = try f.predict(test)
            return zip(p, test).reduce(0) { $0 + abs($1.0 - $1.1.loss!) / $1.1.loss! } / Double(test.count)
        }
        let brokenError = try mare(broken), powerError = try mare(power)
        #expect(brokenError < 0.01)
        #expect(brokenError * 3 < powerError, "BNSL \(brokenError) vs power law \(powerError)")
        #expect(throws: ScalingLawsError.self) { try BrokenPowerLaw(breaks: 4) }
    }

    @Test("Test-time law: sigmoid and log-linear forms recover their parameters")
    func testTime() throws {
        let samples = (0...12).map { pow(2.0, Double($0)) }
        let sigmoid = TestTimeLaw(x: "samples", form: .sigmoid)
        let truth = [0.05, 1.2, log(30.0)]
        let acc = sigmoid.evaluate(truth, Inputs(columns: [samples]))
        let runs = zip(samples, acc).map { Run(loss: $1, values: ["samples": $0]) }
        let fit = try sigmoid.fit(runs, options: FitOptions(objective: sigmoid.defaultObjective!))
        for (j, t) in truth.enumerated() { #expect(abs(fit.parameters[j] - t) < 1e-6 * max(1, abs(t))) }
        #expect(acc.last! < 1 && acc.last! > 0.95)

        let loglinear = TestTimeLaw(x: "samples", form: .loglinear)
        let lin = loglinear.evaluate([0.1, 0.12], Inputs(columns: [samples]))
        #expect(lin.last == 1)  // capped at 1
        let linRuns = zip(samples, lin).map { Run(loss: $1, values: ["samples": $0]) }
        let linFit = try loglinear.fit(linRuns, options: FitOptions(objective: loglinear.defaultObjective!))
        #expect(abs(linFit["a"]! - 0.1) < 1e-6 && abs(linFit["b"]! - 0.12) < 1e-6)
    }

    @Test("Ties and bounds: alpha = beta, and a bound the data push against")
    func tiesAndBounds() throws {
        let runs = try chinchillaRuns()
        var options = FitOptions()
        options.constraints.ties = ["beta": "alpha"]
        let tied = try ChinchillaLaw().fit(runs, options: options)
        #expect(tied["alpha"] == tied["beta"])
        #expect(tied["alpha"]! > 0.3 && tied["alpha"]! < 0.4)
        let free = try ChinchillaLaw().fit(runs)
        #expect(tied.objectiveValue! >= free.objectiveValue!)
        let u = try tied.asymptoticUncertainty()
        #expect(u.standardErrors[3] == u.standardErrors[4] && u.standardErrors[3] > 0)

        var bounded = FitOptions()
        bounded.constraints.bounds = ["alpha": ClosedBounds(0.4, 1)]
        let fit = try ChinchillaLaw().fit(runs, options: bounded)
        #expect(fit["alpha"]! >= 0.4 && fit["alpha"]! < 0.4005)
        #expect(try fit.asymptoticUncertainty().warnings.contains { $0.contains("alpha") && $0.contains("lower bound 0.4") })

        var bad = FitOptions()
        bad.constraints.ties = ["alpha": "E"]
        #expect(throws: ScalingLawsError.self) { try ChinchillaLaw().fit(runs, options: bad) }
        #expect(throws: ScalingLawsError.self) { try ClosedBounds(parsing: "2:1", name: "alpha") }
        #expect(try ClosedBounds(parsing: "0:", name: "a") == ClosedBounds(0, .infinity))
    }

    @Test("Data-constrained law: noiseless synthetic data recovered")
    func dataConstrainedRecovery() throws {
        let law = DataConstrainedLaw()
        let truth = law.vector(["E": 1.87, "A": 520, "B": 1487, "alpha": 0.35, "beta": 0.36, "RD_star": 15, "RN_star": 5])
        var runs = [Run]()
        for n in geometric(1e8, 4e9, 6) {
            for u in [1e9, 5e9, 2e10] {
                for epochs in [1.0, 2, 4, 8, 16, 40] { runs.append(Run(params: n, tokens: u * epochs, values: ["unique_tokens": u])) }
            }
        }
        let y = try FitResult(law: law, parameters: Dictionary(uniqueKeysWithValues: zip(law.parameterNames, truth))).predict(runs)
        for i in runs.indices { runs[i].loss = y[i] }
        let fit = try law.fit(runs)
        for (j, t) in truth.enumerated() { #expect(relativeError(fit.parameters[j], t) < 1e-5, "\(law.parameterNames[j])") }
        // A cap on unique data shrinks the tokens of the optimum and raises its loss.
        let free = law.optimum(truth, flops: 1e22, uniqueTokens: .infinity, flopsPerParamToken: 6)
        let capped = law.optimum(truth, flops: 1e22, uniqueTokens: 5e9, flopsPerParamToken: 6)
        #expect(capped.loss > free.loss)
        #expect(relativeError(6 * capped.params! * capped.tokens!, 1e22) < 1e-12)
        // Brute force over N confirms the 1-D minimisation.
        let given = try FitResult(law: law, parameters: Dictionary(uniqueKeysWithValues: zip(law.parameterNames, truth)))
        let sizes = geometric(1e8, 1e12, 20001)
        let losses = try given.predict(sizes.map { Run(params: $0, flops: 1e22, values: ["unique_tokens": 5e9]) })
        let brute = zip(sizes, losses).min { $0.1 < $1.1 }!
        #expect(abs(capped.loss - brute.1) <= 1e-9 * brute.1)
        #expect(abs(log(capped.params! / brute.0)) < 1e-3)
    }

    @Test("Formula errors point at the character", arguments: [
        ("E + A*(N^-alpha", 6, "unbalanced parentheses"),
        ("E + A*N^-alpha)", 14, "unbalanced parentheses"),
        ("E + A*foo(N)", 6, "unknown function \"foo\""),
        ("N^2 + D", 0, "no parameters"),
        ("E + A*N^-alpha + B*D^-beta", 19, "D stands for tokens"),
        ("E + * N", 4, "unexpected '*'"),
    ])
    func formulaErrors(text: String, position: Int, message: String) throws {
        let error = try #require(#expect(throws: ScalingLawsError.self) {
            try FormulaLaw(text, columns: ["params", "loss"])
        })
        guard case let .formula(_, p, m) = error else { Issue.record("wrong error \(error)"); return }
        #expect(p == position, "\(m)")
        #expect(m.contains(message), "\(m)")
        let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[2] == Substring("  " + String(repeating: " ", count: position) + "^"))
    }
}
