import Foundation
import Testing
@testable import ScalingLaws

@Suite("Backtests, law comparison and objective sensitivity")
struct BacktestTests {
    /// The three published splits (Examples/data/README.md): MARE 1.05%, 0.91%, 1.05%; max ARE 3.60%,
    /// 3.66%, 2.78%. "params <= 2.0e9 (80th percentile)" is the 80th percentile, 2.0067e9, held out as the
    /// top 20% by params.
    @Test("Published backtest splits reproduce MARE within 0.15 percentage points", arguments: [
        (TrainSplit.percentile(variable: "flops", op: .lessOrEqual, quantile: 0.8), 192, 0.0105, 0.0360),
        (TrainSplit.holdoutTop(fraction: 0.2, by: "params"), 192, 0.0091, 0.0366),
        (TrainSplit.condition(variable: "flops", op: .less, value: 1e21), 217, 0.0105, 0.0278),
    ])
    func publishedSplits(split: TrainSplit, train: Int, mare: Double, maxARE: Double) throws {
        let b = try ChinchillaLaw().backtest(try chinchillaRuns(), split: split)
        #expect(b.trainingCount == train && b.heldOut.count == 240 - train)
        #expect(abs(b.mare - mare) < 0.0015, "MARE \(b.mare)")
        #expect(abs(b.maxARE - maxARE) < 0.002, "max ARE \(b.maxARE)")
        #expect(b.heldOut.allSatisfy { $0.extrapolation > 0 })
        #expect(b.coverage >= 0 && b.coverage <= 1)
        #expect(abs(b.bias) <= b.mare)
    }

    @Test("Split conditions parse, and bad ones say what was expected")
    func parsing() throws {
        #expect(try TrainSplit(parsing: "flops<=5.59e20") == .condition(variable: "flops", op: .lessOrEqual, value: 5.59e20))
        #expect(try TrainSplit(parsing: " params < 2B ") == .condition(variable: "params", op: .less, value: 2e9))
        #expect(try TrainSplit(parsing: "tokens>=p75") == .percentile(variable: "tokens", op: .greaterOrEqual, quantile: 0.75))
        for bad in ["loss<=2", "flops=1e20", "flops<=lots", "flops<=p120", "", "1x<=3"] {
            #expect(throws: ScalingLawsError.self) { try TrainSplit(parsing: bad) }
        }
        let runs = try chinchillaRuns()
        #expect(throws: ScalingLawsError.self) { try ChinchillaLaw().backtest(runs, split: try TrainSplit(parsing: "flops<=1e30")) }
        #expect(throws: ScalingLawsError.self) { try ChinchillaLaw().backtest(runs, split: .holdoutTop(fraction: 1.5, by: "flops")) }
    }

    func syntheticChinchilla(seed: UInt64) -> [Run] {
        let truth = [1.69, 406.4, 410.7, 0.34, 0.28]
        var runs = syntheticLadder(sizes: geometric(5e7, 1e10, 10), ratios: geometric(2, 200, 8))
        let clean = ChinchillaLaw().evaluate(truth, Inputs(columns: [runs.map { $0.params! }, runs.map { $0.tokens! }]))
        var rng = SeededGenerator(seed: seed)
        for i in runs.indices { runs[i].loss = clean[i] * exp(0.005 * rng.nextNormal()) }
        return runs
    }

    @Test("Compare ranks the true law first and flags the misspecified ones")
    func compare() throws {
        let runs = syntheticChinchilla(seed: 21)
        let c = try LawComparison(laws: [PowerLaw(x: "flops"), SaturatingPowerLaw(x: "flops"), ChinchillaLaw()], runs: runs)
        #expect(c.entries.first?.fit.law.name == "chinchilla")
        let byName = Dictionary(uniqueKeysWithValues: c.entries.map { ($0.fit.law.name, $0) })
        #expect(byName["chinchilla"]!.flags.isEmpty, "\(byName["chinchilla"]!.flags)")
        #expect(!byName["power"]!.flags.isEmpty)
        #expect(!byName["saturating"]!.flags.isEmpty)
        #expect(byName["chinchilla"]!.aic < byName["saturating"]!.aic)
        #expect(byName["chinchilla"]!.bic < byName["power"]!.bic)
    }

    @Test("Objective sensitivity: four objectives, four answers; the asymmetric one follows the lower envelope")
    func objectives() throws {
        let runs = try chinchillaRuns()
        let fits = try ChinchillaLaw().fitUnderObjectives(runs)
        #expect(fits.map(\.objective.label) == ["mse/linear", "mse/log", "huber(0.001)/log", "asymmetric(0.1)/log"])
        #expect(Set(fits.map { ($0["alpha"]! * 1e4).rounded() }).count == 4)
        let below = fits[3].residuals.filter { $0 < 0 }.count
        #expect(Double(below) / Double(runs.count) < 0.35)
        #expect(fits[3].objective.definition.contains("tau=0.1"))
    }
}
