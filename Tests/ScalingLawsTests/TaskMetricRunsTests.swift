import Foundation
import Testing
@testable import ScalingLaws

/// A synthetic two-step data set: task loss L = 1 + 300/N^0.32 + 500/D^0.3 on a ladder of small models
/// (N 2e7…1e9, D = 20, 40, 80 tokens per parameter: L from 1.66 to 4.0), and accuracy
/// 0.7/(1 + exp(4·(L − 2))) + 0.25 on 30 other models whose task losses run from 1.3 to 4.0 (as the
/// larger models Gadre et al. and Llama 3 add to step 2). Deterministic perturbations of 0.1% on the loss
/// and 0.002 on the accuracy.
enum TwoStepSynthetic {
    static func taskLoss(_ n: Double, _ d: Double) -> Double { 1 + 300 / pow(n, 0.32) + 500 / pow(d, 0.3) }
    static func accuracy(_ l: Double) -> Double { 0.7 / (1 + exp(4 * (l - 2))) + 0.25 }

    static var ladder: [Run] {
        var runs = [Run]()
        var i = 0
        for n in [2e7, 5e7, 1e8, 2e8, 5e8, 1e9] {
            for m in [20.0, 40, 80] {
                i += 1
                let l = taskLoss(n, m * n) * (1 + 0.001 * sin(Double(i)))
                runs.append(Run(params: n, tokens: m * n, loss: l, values: ["accuracy": accuracy(l) + 0.002 * cos(Double(i))]))
            }
        }
        return runs
    }

    static var metricModels: [Run] {
        (0..<30).map { i in
            let l = 1.3 + 2.7 * Double(i) / 29
            return Run(loss: l, values: ["accuracy": accuracy(l) + 0.002 * sin(3 * Double(i))])
        }
    }
}

@Suite("task: step 2 on its own runs, and the extrapolation flag")
struct TaskMetricRunsTests {
    @Test("With metric runs spanning the target's loss, the chain reproduces the generating law and is not flagged")
    func reproduces() throws {
        let chain = try TaskForecast(runs: TwoStepSynthetic.ladder, metricRuns: TwoStepSynthetic.metricModels, metric: "accuracy",
                                     lossLaw: ChinchillaLaw(), metricLaw: SigmoidMetricLaw())
        let p = chain.metricFit.parameterValues
        #expect(abs(p["a"]! - 0.7) < 0.01 && abs(p["b"]! - 0.25) < 0.01, "\(p)")
        #expect(abs(p["k"]! + 4) < 0.15 && abs(p["L0"]! - 2) < 0.01, "\(p)")
        #expect(chain.metricFit.runs == 30 && chain.lossFit.runs == 18)
        #expect(abs(chain.metricFitLosses.lowerBound - 1.3) < 1e-12)
        let target = Run(params: 7e9, tokens: 1.4e11)
        let prediction = try #require(try chain.predict([target]).first)
        let trueLoss = TwoStepSynthetic.taskLoss(7e9, 1.4e11)
        #expect(relativeError(prediction.loss, trueLoss) < 0.01, "loss \(prediction.loss) vs \(trueLoss)")
        #expect(abs(prediction.metric - TwoStepSynthetic.accuracy(trueLoss)) < 0.01, "accuracy \(prediction.metric)")
        #expect(prediction.newRunInterval.contains(TwoStepSynthetic.accuracy(trueLoss)))
        #expect(!prediction.lossOutsideMetricFit)
    }

    @Test("Fitted on the ladder alone, a target below the ladder's losses is flagged; one inside is not")
    func flagsExtrapolation() throws {
        let chain = try TaskForecast(runs: TwoStepSynthetic.ladder, metric: "accuracy", lossLaw: ChinchillaLaw(), metricLaw: SigmoidMetricLaw())
        let predictions = try chain.predict([Run(params: 7e9, tokens: 1.4e11), Run(params: 2e8, tokens: 8e9)])
        #expect(predictions[0].lossOutsideMetricFit)
        #expect(predictions[0].loss < chain.metricFitLosses.lowerBound)
        #expect(!predictions[1].lossOutsideMetricFit)
    }
}
