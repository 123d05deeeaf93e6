import Foundation
import Testing
@testable import ScalingLaws

/// ``Uncertainty/predictions(_:)`` evaluates the law a block of points at a time; each prediction must be
/// exactly what ``Uncertainty/estimate(positive:_:)`` gives for that point alone.
@Suite("Predictions in blocks equal predictions one point at a time")
struct PredictionBatchTests {
    /// The per-point reference: the law at one point, through the generic estimate.
    private func onePointAtATime(_ u: Uncertainty, _ runs: [Run]) throws -> [(Double, Estimate?)] {
        let inputs = try u.fit.inputs(for: runs)
        let law = u.fit.law
        let positive = u.fit.objective.space == .log
        return (0..<inputs.count).map { i in
            let point = Inputs(columns: inputs.columns.map { [$0[i]] })
            return (law.evaluate(u.fit.parameters, point)[0], u.estimate(positive: positive) { law.evaluate($0, point)[0] })
        }
    }

    private func expectSame(_ u: Uncertainty, _ runs: [Run], _ label: String) throws {
        let batch = try u.predictions(runs)
        let reference = try onePointAtATime(u, runs)
        #expect(batch.count == runs.count)
        for (k, (prediction, (value, estimate))) in zip(batch, reference).enumerated() {
            #expect(prediction.value == value, "\(label) \(k)")
            if let estimate {
                #expect(prediction.lawInterval == estimate.interval, "\(label) \(k)")
            } else {
                #expect(prediction.lawInterval.low.isNaN && prediction.lawInterval.high.isNaN, "\(label) \(k)")
            }
        }
    }

    /// Targets inside and far beyond the runs (the largest where the law's value underflows nothing but
    /// its terms are tiny).
    private var targets: [Run] {
        var out = [Run]()
        for n in [1e7, 4e8, 7e10, 1e13, 1e30] { for d in [1e9, 1.4e12, 1e15, 1e40] { out.append(Run(params: n, tokens: d)) } }
        return out
    }

    @Test("Asymptotic intervals, log and linear objectives, built-in laws and a formula")
    func asymptotic() throws {
        let runs = try chinchillaRuns()
        let laws: [any ScalingLaw] = [ChinchillaLaw(), try FormulaLaw("E + A*N^-alpha + B*D^-beta")]
        for law in laws {
            for objective in [Objective(), Objective(loss: .mse, space: .linear)] {
                let fit = try law.fit(runs, options: FitOptions(objective: objective))
                try expectSame(try fit.asymptoticUncertainty(), targets, "\(law.name) \(objective.label)")
            }
        }
        let saturating = try SaturatingPowerLaw(x: Variable.flops).fit(runs)
        try expectSame(try saturating.asymptoticUncertainty(), targets.map { Run(flops: ($0.params ?? 0) * ($0.tokens ?? 0) * 6) },
                       "saturating")
    }

    @Test("Bootstrap intervals")
    func bootstrap() throws {
        let fit = try ChinchillaLaw().fit(try chinchillaRuns())
        try expectSame(try fit.bootstrap(BootstrapOptions(replicates: 40, seed: 3)), targets, "bootstrap")
    }

    @Test("More points than one block")
    func severalBlocks() throws {
        let fit = try ChinchillaLaw().fit(try chinchillaRuns())
        let many = (0..<20_000).map { i in Run(params: 1e8 * pow(1.0003, Double(i)), tokens: 2e9 * pow(1.0002, Double(i))) }
        let u = try fit.asymptoticUncertainty()
        let batch = try u.predictions(many)
        for k in [0, 8_191, 8_192, 16_400, 19_999] {
            let one = try u.predictions([many[k]])[0]
            #expect(batch[k] == one, "point \(k)")
        }
    }
}
