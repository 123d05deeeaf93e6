import Foundation
import Testing
@testable import ScalingLaws

/// The over-training law, step-2 metric laws, the two-step chain and the capability law.
struct DownstreamTests {
    /// Chinchilla with α = β = 0.3 in Gadre et al.'s form: η = α/2, a = A·6^η, b = B·6^η.
    static let eta = 0.15, a = 400 * pow(6, 0.15), b = 600 * pow(6, 0.15), e = 1.8

    static func overtrained(_ n: Double, _ d: Double) -> Double {
        let m = d / n, c = 6 * n * d
        return e + (a * pow(m, eta) + b * pow(m, -eta)) * pow(c, -eta)
    }

    @Test func overtrainedLawIsChinchillaWithEqualExponents() {
        for (n, d) in [(1e8, 2e9), (7e9, 4.5e12)] {
            let chinchilla = Self.e + 400 * pow(n, -0.3) + 600 * pow(d, -0.3)
            #expect(relativeError(Self.overtrained(n, d), chinchilla) < 1e-12)
            let f = OvertrainedLaw().evaluate([Self.e, Self.a, Self.b, Self.eta], Inputs(columns: [[n], [d]]))[0]
            #expect(relativeError(f, chinchilla) < 1e-12)
        }
    }

    @Test func overtrainedLawReproducesItselfAndExtrapolatesTo30xOvertraining() throws {
        let sizes = geometric(2e7, 4e8, 5)
        let exact = sizes.flatMap { n in [10.0, 20, 40].map { Run(params: n, tokens: n * $0, loss: Self.overtrained(n, n * $0)) } }
        let fit = try OvertrainedLaw().fit(exact)
        for (x, y) in zip(fit.parameters, [Self.e, Self.a, Self.b, Self.eta]) { #expect(relativeError(x, y) < 1e-4) }

        var rng = SeededGenerator(seed: 3)
        let noisy = exact.map { var r = $0; r.loss! *= exp(0.003 * rng.normal()); return r }
        let fitNoisy = try OvertrainedLaw().fit(noisy)
        // 32× the compute-optimal M = 20 at 17× the largest model.
        let target = Run(params: 7e9, tokens: 7e9 * 640)
        let predicted = try fitNoisy.predict([target])[0]
        let truth = Self.overtrained(7e9, 7e9 * 640)
        #expect(relativeError(predicted, truth) < 0.02)
        let interval = try fitNoisy.asymptoticUncertainty().predictions([target])[0].lawInterval
        #expect(interval.contains(truth))
        #expect(relativeError(try fit.predict([target])[0], truth) < 1e-4)
        #expect(abs(fitNoisy.law.derivedQuantities(fitNoisy.parameters)[0].value - pow(Self.b / Self.a, 1 / 0.3)) < 1.5)
    }

    static func sigmoid(_ l: Double) -> Double { 0.7 / (1 + exp(8 * (l - 1.5))) + 0.25 }

    /// Task loss from a Chinchilla-like law, accuracy from a sigmoid in it.
    static func ladder(sizes: [Double], seed: UInt64) -> [Run] {
        var rng = SeededGenerator(seed: seed)
        return sizes.flatMap { n in [10.0, 20, 40].map { m -> Run in
            let d = n * m
            let loss = (1.0 + 300 * pow(n, -0.32) + 500 * pow(d, -0.3)) * exp(0.003 * rng.normal())
            let acc = sigmoid(loss) + 0.004 * rng.normal()
            return Run(params: n, tokens: d, loss: loss, values: ["acc": acc, "task_loss": loss])
        } }
    }

    @Test func twoStepChainRecoversTheComposedTruth() throws {
        let runs = Self.ladder(sizes: geometric(2e7, 3e9, 7), seed: 11)
        let chain = try TaskForecast(runs: runs, metric: "acc", lossLaw: ChinchillaLaw(), metricLaw: SigmoidMetricLaw())
        let s = chain.metricFit
        #expect(abs(s["b"]! - 0.25) < 0.03)
        #expect(abs(s["a"]! - 0.7) < 0.06)
        #expect(abs(s["L0"]! - 1.5) < 0.05)
        let target = Run(params: 1.5e10, tokens: 3e11)
        let p = try chain.predict([target])[0]
        let trueLoss = 1.0 + 300 * pow(1.5e10, -0.32) + 500 * pow(3e11, -0.3)
        #expect(relativeError(p.loss, trueLoss) < 0.01)
        #expect(abs(p.metric - Self.sigmoid(trueLoss)) < 0.02)
        #expect(p.newRunInterval.contains(Self.sigmoid(trueLoss)))
        #expect(p.lawInterval.low >= p.newRunInterval.low && p.lawInterval.high <= p.newRunInterval.high)
        #expect(p.target.flops == 6 * 1.5e10 * 3e11)
    }

    @Test func sigmoidSaturatesAtChance() throws {
        // Small models: most sit on the chance plateau, a few start to climb.
        let runs = Self.ladder(sizes: geometric(5e6, 6e8, 8), seed: 4)
        #expect(runs.filter { ($0.values["acc"]! - 0.25) < 0.02 }.count >= 6)
        let fit = try SigmoidMetricLaw().fit(runs.map { Run(loss: $0.values["acc"], values: ["task_loss": $0.loss!]) },
                                             options: FitOptions(objective: Objective(loss: .mse, space: .linear)))
        #expect(abs(fit["b"]! - 0.25) < 0.01)
        let highLoss = SigmoidMetricLaw().evaluate(fit.parameters, Inputs(columns: [[4.0]]))[0]
        #expect(abs(highLoss - 0.25) < 0.01)
    }

    @Test func exponentialErrorLawRecovers() throws {
        let truth = [0.75, 9.0, 2.0]
        let runs = stride(from: 1.8, through: 3.6, by: 0.1).map { l in
            Run(loss: truth[0] - truth[1] * exp(-truth[2] * l), values: ["task_loss": l])
        }
        let fit = try ExponentialErrorLaw().fit(runs, options: FitOptions(objective: Objective(loss: .mse, space: .linear)))
        for (x, y) in zip(fit.parameters, truth) { #expect(relativeError(x, y) < 1e-4) }
    }

    @Test func capabilityLawExtrapolatesThePassRate() throws {
        var rng = SeededGenerator(seed: 8)
        let alpha = 2e5, k = 0.27
        let runs = geometric(1e18, 1e21, 10).map { c in
            Run(flops: c, loss: exp(-alpha * pow(c, -k) * exp(0.02 * rng.normal())))
        }
        let law = CapabilityLaw()
        let fit = try law.fit(runs, options: FitOptions(objective: law.defaultObjective!))
        #expect(relativeError(fit["k"]!, k) < 0.05)
        let predicted = try fit.predict([Run(flops: 1e23)])[0]
        #expect(abs(predicted - exp(-alpha * pow(1e23, -k))) < 0.02)
    }
}
