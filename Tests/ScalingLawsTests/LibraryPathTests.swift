import Foundation
import ScalingLaws
import Testing

@Suite("The library in a few lines")
struct LibraryPathTests {
    @Test("Load, fit, forecast with intervals, the optimum with typed fields and a fit of arrays: eight lines, no force-unwraps")
    func eightLines() throws {
        let path = repositoryRoot.appendingPathComponent("Examples/data/chinchilla_fig4_fitset.csv").path
        // The eight lines a training script needs:
        let runs = try RunTable.runs(contentsOf: path)
        let fit = try ChinchillaLaw().fit(runs)
        let forecast = try fit.forecasts([Run(params: 70e9, tokens: 1.4e12)])[0]
        let optimum = try fit.optimum(flops: 5.88e23)
        let alpha = try fit.value(of: "alpha")
        let curve = try SaturatingPowerLaw(x: Variable.flops).fit(x: runs.compactMap(\.flops), y: runs.compactMap(\.loss))
        print(fit, forecast, optimum, alpha, curve, separator: "\n")
        // What they give:
        #expect(runs.count == 240)
        #expect(abs(alpha - 0.34731) < 1e-4)
        #expect(forecast.calibratedInterval?.contains(forecast.value) == true)
        #expect(abs(optimum.params.value - 7.397e10) / 7.397e10 < 0.01)
        #expect(optimum.params.interval.contains(optimum.params.value) && optimum.tokensPerParam.interval.low > 10)
        #expect(optimum.calibratedLoss.map { $0.low < optimum.loss.interval.low } == true)
        #expect(curve.runs == 240 && curve.law.variables == [Variable.flops])
        #expect(throws: ScalingLawsError.self) { try fit.value(of: "alpah") }
        #expect(throws: ScalingLawsError.self) { try SaturatingPowerLaw(x: Variable.flops).fit(x: [1, 2], y: [1]) }
        #expect(throws: ScalingLawsError.self) { try ChinchillaLaw().fit(x: [1, 2, 3], y: [1, 2, 3]) }
        #expect(String(describing: fit).hasPrefix("chinchilla law fitted to 240 runs: E=1.817"))
    }
}
