import Foundation
import Testing
@testable import ScalingLaws

/// A law's value and Jacobian in one pass (``ScalingLaw/evaluate(_:_:into:jacobian:)``), and the solver's use
/// of it: every trial point keeps the law's Jacobian, so an accepted point's Jacobian costs no second
/// evaluation. Both must give the bits of the separate calls, so the fit does not change at all.
@Suite("Value and Jacobian in one pass")
struct ValueWithJacobianTests {
    @Test("Every catalogue law: the one-pass value and Jacobian equal evaluate and jacobian, bit for bit")
    func sameBitsAsSeparateCalls() throws {
        let laws: [any ScalingLaw] = LawCatalog.names.compactMap { try? LawCatalog.law(named: $0) }
            + [SaturatingPowerLaw(x: "flops"), PowerLaw(x: "flops")]
        var sharing = Set<String>()
        for law in laws {
            // Columns the Chinchilla runs lack (unique tokens, samples, task loss, …), made up.
            let runs = try chinchillaRuns().enumerated().map { i, run in
                var r = run
                for v in law.variables where !Variable.standard.contains(v) { r.values[v] = 1 + Double(i % 7) * (v == DataConstrainedLaw.uniqueTokens ? 1e10 : 0.3) }
                return r
            }
            guard let x = try? law.trainingData(runs, flopsPerParamToken: 6, space: .linear).0 else { continue }
            let p = law.parameters.count
            for theta in [law.parameters.indices.map { 0.3 + 0.1 * Double($0) }, law.parameters.indices.map { 2.5 - 0.2 * Double($0) }] {
                var f = [Double](repeating: 0, count: x.count)
                var jac = Matrix(rows: x.count, columns: p)
                law.evaluate(theta, x, into: &f)
                law.jacobian(theta, x, into: &jac)
                // One extra column, as the solver passes it: left alone.
                var f1 = [Double](repeating: 0, count: x.count)
                var jac1 = Matrix(rows: x.count, columns: p + 1, repeating: -7)
                law.evaluate(theta, x, into: &f1, jacobian: &jac1)
                #expect(zip(f, f1).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(law.name) value")
                for k in 0..<p {
                    #expect(zip(jac.column(k), jac1.column(k)).allSatisfy { $0.bitPattern == $1.bitPattern },
                            "\(law.name) ∂/∂\(law.parameters[k].name)")
                }
                #expect(jac1.column(p).allSatisfy { $0 == -7 }, "\(law.name) wrote past its parameters")
            }
            if law.evaluatesJacobianWithValue { sharing.insert(law.name) }
        }
        #expect(sharing.isSuperset(of: ["chinchilla", "saturating", "power"]), "\(sharing)")
    }

    @Test("The fit with the kept Jacobian equals the fit that evaluates it again: parameters, objective, counts, Jacobian")
    func keptLawJacobianSameFit() throws {
        var weighted = try chinchillaRuns()
        for i in weighted.indices { weighted[i].weight = Double(1 + i % 3) }
        let setups: [(String, [Run], (inout FitOptions) -> Void)] = [
            ("default", try chinchillaRuns(), { _ in }),
            ("tie", try chinchillaRuns(), { $0.constraints.ties = ["beta": "alpha"] }),
            ("fix E", try chinchillaRuns(), { $0.fixed = ["E": 1.8] }),
            ("bounds", try chinchillaRuns(), { $0.constraints.bounds = ["alpha": ClosedBounds(0.2, 0.3), "E": ClosedBounds(1.9, 3)] }),
            ("weights, mse linear", weighted, { $0.objective = Objective(loss: .mse, space: .linear) }),
        ]
        for (name, runs, configure) in setups {
            var options = FitOptions()
            configure(&options)
            let kept = try ChinchillaLaw().fit(runs, options: options)
            let again = try Separate(law: ChinchillaLaw()).fit(runs, options: options)
            #expect(kept.parameters == again.parameters, "\(name)")
            #expect(kept.objectiveValue == again.objectiveValue, "\(name)")
            #expect(kept.summary == again.summary, "\(name)")
            #expect(kept.jacobian == again.jacobian, "\(name)")
            #expect(kept.residuals == again.residuals, "\(name)")
        }
        let runs = try chinchillaRuns()
        let saturating = try SaturatingPowerLaw(x: "flops").fit(runs)
        let saturatingAgain = try Separate(law: SaturatingPowerLaw(x: "flops")).fit(runs)
        #expect(saturating.parameters == saturatingAgain.parameters && saturating.summary == saturatingAgain.summary
                && saturating.jacobian == saturatingAgain.jacobian)
        let power = try PowerLaw(x: "flops").fit(runs), powerAgain = try Separate(law: PowerLaw(x: "flops")).fit(runs)
        #expect(power.parameters == powerAgain.parameters && power.summary == powerAgain.summary && power.jacobian == powerAgain.jacobian)
        // Bootstrap refits go through the same solver.
        let boot = BootstrapOptions(replicates: 8, seed: 5)
        let a = try ChinchillaLaw().fit(runs).bootstrap(boot), b = try Separate(law: ChinchillaLaw()).fit(runs).bootstrap(boot)
        #expect(a.intervals == b.intervals)
    }
}

/// A law that forwards everything to another (basis structure and columns included) except the one-pass
/// value and Jacobian: the solver then evaluates the Jacobian at each accepted point again.
private struct Separate<L: ScalingLaw>: ScalingLaw {
    let law: L
    var name: String { law.name }
    var formula: String { law.formula }
    var parameters: [LawParameter] { law.parameters }
    var variables: [String] { law.variables }
    var configuration: [String: String] { law.configuration }
    func evaluate(_ theta: [Double], _ x: Inputs, into f: inout [Double]) { law.evaluate(theta, x, into: &f) }
    func jacobian(_ theta: [Double], _ x: Inputs, into jacobian: inout Matrix) { law.jacobian(theta, x, into: &jacobian) }
    func basis(_ theta: [Double], _ x: Inputs, into basis: inout Matrix) { law.basis(theta, x, into: &basis) }
    var basisStructure: BasisStructure? { law.basisStructure }
    func basisColumn(_ k: Int, _ theta: [Double], _ x: Inputs, into column: inout [Double]) { law.basisColumn(k, theta, x, into: &column) }
    func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] { law.startGrid(x, response: y) }
    func initialGuesses(_ x: Inputs, response y: [Double]) -> [[Double]] { law.initialGuesses(x, response: y) }
    func derivedQuantities(_ theta: [Double]) -> [DerivedQuantity] { [] }
    var defaultObjective: Objective? { law.defaultObjective }
}
