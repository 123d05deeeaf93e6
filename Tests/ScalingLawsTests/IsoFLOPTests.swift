import Foundation
import Testing
@testable import ScalingLaws

/// Hoffmann et al. 2022's published Approach 3 law (E, A, B, α, β), the truth of the synthetic designs.
let hoffmannTheta = [1.69, 406.4, 410.7, 0.34, 0.28]

/// The isoFLOP design of the acceptance test and of Examples/data/isoflop_synthetic.csv: 5 budgets
/// (1e18 … 1e22 FLOPs) × 9 model sizes log-spaced over a factor 8 either side of N₂₀ = √(C/120), the size
/// at 20 tokens per parameter under C = 6ND (so D/N runs from 1280 down to 0.31); loss from Hoffmann et
/// al.'s law, times exp(σ·z) with z standard normal from `SeededGenerator(seed:)` when σ > 0.
func isoFLOPDesign(noise sigma: Double = 0, seed: UInt64 = 0) -> [Run] {
    var rng = SeededGenerator(seed: seed)
    let law = ChinchillaLaw()
    var runs = [Run]()
    for c in [1e18, 1e19, 1e20, 1e21, 1e22] {
        let center = (c / 120).squareRoot()
        for i in 0..<9 {
            let n = center * exp(log(8.0) * (Double(i) - 4) / 4)
            let d = c / (6 * n)
            let loss = law.evaluate(hoffmannTheta, Inputs(columns: [[n], [d]]))[0]
            runs.append(Run(params: n, tokens: d, flops: c, loss: sigma > 0 ? loss * exp(sigma * rng.nextNormal()) : loss))
        }
    }
    return runs
}

@Suite("IsoFLOP profiles (Approach 2)")
struct IsoFLOPTests {
    let alpha = hoffmannTheta[3], beta = hoffmannTheta[4]

    @Test("Noiseless design recovers a = β/(α+β) and b = α/(α+β) within 0.02")
    func noiseless() throws {
        var options = IsoFLOPOptions()
        options.minimum = .parabola
        let analysis = try IsoFLOPAnalysis(runs: isoFLOPDesign(), options: options)
        #expect(analysis.budgets.count == 5)
        #expect(abs(analysis.allocation.params.exponent - beta / (alpha + beta)) < 0.02)
        #expect(abs(analysis.allocation.tokens.exponent - alpha / (alpha + beta)) < 0.02)
        // Each budget's N* is the true iso-FLOP minimum to within the parabola's approximation error: the
        // loss along the budget is not exactly quadratic in ln N, and over this design's span (a factor 64
        // in N) the vertex lands 2-3% above the exact minimum. The bias is nearly the same at every budget,
        // which is why the exponent is still accurate.
        let truth = try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": alpha, "beta": beta])
        for budget in analysis.budgets {
            let exact = try truth.computeOptimum(flops: budget.flops)
            #expect(relativeError(budget.params, exact.params!) < 0.04, "N* at \(budget.flops)")
            #expect(relativeError(budget.loss, exact.loss) < 1e-3)
            #expect(budget.curvature > 0)
            #expect(relativeError(6 * budget.params * budget.tokens, budget.flops) < 1e-12)
        }
        #expect(analysis.lossLaw != nil)
    }

    /// A 95% interval misses the truth in about 1 of 20 data sets by design (the percentile bootstrap
    /// with 9 runs per budget slightly undercovers), so a single seed cannot be the test: over 20
    /// independent noisy data sets, at least 17 intervals must cover a = β/(α+β). A binomial(20, 0.95)
    /// count falls below 17 with probability 1.6%; an interval that is biased or too narrow (e.g.
    /// ignoring the within-budget noise) covers far less often.
    @Test("1% noise: the 95% bootstrap interval of a covers the truth (at least 17 of 20 data sets)")
    func noisyCoverage() throws {
        let truth = beta / (alpha + beta)
        var covered = 0
        for seed in UInt64(1)...20 {
            var options = IsoFLOPOptions()
            options.minimum = .parabola
            options.bootstrapReplicates = 500
            options.seed = seed
            let analysis = try IsoFLOPAnalysis(runs: isoFLOPDesign(noise: 0.01, seed: 100 + seed), options: options)
            let a = try #require(analysis.bootstrap?.paramsExponent)
            let b = try #require(analysis.bootstrap?.tokensExponent)
            if a.contains(truth) { covered += 1 }
            // b = 1 − a replicate by replicate, so the intervals mirror each other.
            #expect(abs(b.low - (1 - a.high)) < 1e-9 && abs(b.high - (1 - a.low)) < 1e-9)
            #expect(a.contains(analysis.allocation.params.exponent))
            #expect(analysis.bootstrap!.discarded < 100, "\(analysis.bootstrap!.discarded) of 500 replicates discarded")
        }
        #expect(covered >= 17, "\(covered) of 20 intervals cover a = \(truth)")
    }

    /// The design with one budget's runs replaced by `runs` (at C = 1e20).
    func design(replacingBudget runs: [Run]) -> [Run] {
        isoFLOPDesign().filter { $0.flops != 1e20 } + runs
    }

    /// The budgets skipped by a parabola analysis (or `options`) of `runs`.
    func refusals(_ runs: [Run], options: IsoFLOPOptions? = nil) -> [BudgetRefusal] {
        var o = options ?? IsoFLOPOptions()
        if options == nil { o.minimum = .parabola }
        do {
            return try IsoFLOPAnalysis(runs: runs, options: o).skipped
        } catch {
            return [BudgetRefusal(flops: 0, reason: "wrong error \(error)")]
        }
    }

    @Test("A budget with fewer than 3 runs is skipped, naming the budget")
    func tooFewRuns() throws {
        let two = [1e9, 2e9].map { Run(params: $0, flops: 1e20, loss: 2.5) }
        let list = refusals(design(replacingBudget: two))
        #expect(list.count == 1)
        #expect(list.first?.flops == 1e20)
        #expect(list.first?.description.hasPrefix("budget 1e+20 FLOPs: 2 runs, a parabola needs at least 3") == true, "\(list)")
        // Every method skips it.
        for method in IsoFLOPProfile.Method.allCases {
            var options = IsoFLOPOptions()
            options.minimum = method
            #expect(refusals(design(replacingBudget: two), options: options).map(\.flops) == [1e20], "\(method)")
        }
    }

    @Test("A budget whose minimum lies outside its sampled sizes is skipped, naming the budget and the side")
    func notBracketed() throws {
        // Only models much smaller than the optimum (≈ 7.6e8 at 1e20): the loss falls all the way.
        let law = ChinchillaLaw()
        let small = [2e7, 3e7, 5e7, 8e7].map { n in
            Run(params: n, flops: 1e20, loss: law.evaluate(hoffmannTheta, Inputs(columns: [[n], [1e20 / (6 * n)]]))[0])
        }
        let list = refusals(design(replacingBudget: small))
        #expect(list.count == 1)
        let text = try #require(list.first?.description)
        // The parabola through these points has its vertex at N ≈ 3.3e8, above the largest size sampled.
        #expect(text.hasPrefix("budget 1e+20 FLOPs: the fitted parabola's minimum at N = 3.3"), "\(text)")
        #expect(text.contains("lies above the sampled sizes 2e+07–8e+07; add larger models"), "\(text)")

        // Only models much larger than the optimum: the minimum is below them.
        let large = [5e10, 8e10, 1.2e11, 2e11].map { n in
            Run(params: n, flops: 1e20, loss: law.evaluate(hoffmannTheta, Inputs(columns: [[n], [1e20 / (6 * n)]]))[0])
        }
        let below = try #require(refusals(design(replacingBudget: large)).first?.description)
        // Vertex at N ≈ 3.9e9, below the smallest size sampled.
        #expect(below.hasPrefix("budget 1e+20 FLOPs: the fitted parabola's minimum at N = 3.8"), "\(below)")
        #expect(below.contains("lies below the sampled sizes 5e+10–2e+11; add smaller models"), "\(below)")
    }

    @Test("A loss that bends the wrong way has no minimum")
    func opensDownward() throws {
        let runs = [1e8, 2e8, 4e8, 8e8, 1.6e9].enumerated().map { i, n in
            Run(params: n, flops: 1e20, loss: 2.5 + [0.0, 0.03, 0.04, 0.03, 0.0][i])
        }
        let list = refusals(design(replacingBudget: runs))
        #expect(list.count == 1)
        #expect(list.first?.description.hasPrefix("budget 1e+20 FLOPs: the fitted parabola has no minimum") == true, "\(list)")
    }

    @Test("Skipped budgets are left out and listed, the rest fitted; fewer than 3 left is an error naming them")
    func skipRefused() throws {
        let two = [1e9, 2e9].map { Run(params: $0, flops: 1e20, loss: 2.5) }
        var options = IsoFLOPOptions()
        options.minimum = .parabola
        options.bootstrapReplicates = 50
        let analysis = try IsoFLOPAnalysis(runs: design(replacingBudget: two), options: options)
        #expect(analysis.budgets.map(\.flops) == [1e18, 1e19, 1e21, 1e22])
        #expect(analysis.skipped.map(\.flops) == [1e20])
        // Two budgets with a minimum are not enough.
        let few = isoFLOPDesign().filter { $0.flops! <= 1e19 } + two
        do {
            _ = try IsoFLOPAnalysis(runs: few, options: options)
            Issue.record("two budgets were accepted")
        } catch {
            #expect(error.description.contains("at least 3 budgets with an interior minimum, found 2 of 3"), "\(error)")
            #expect(error.description.contains("budget 1e+20 FLOPs: 2 runs"), "\(error)")
        }
        #expect(abs(analysis.allocation.params.exponent - 0.28 / 0.62) < 0.02)
    }

    @Test("A cubic profile needs 4 runs and recovers the exponent too")
    func cubic() throws {
        var options = IsoFLOPOptions()
        options.minimum = .cubic
        let analysis = try IsoFLOPAnalysis(runs: isoFLOPDesign(), options: options)
        #expect(abs(analysis.allocation.params.exponent - 0.28 / 0.62) < 0.02)
        // The cubic absorbs the profile's skew: N* is closer to the exact minimum than the parabola's.
        let truth = try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28])
        options.minimum = .parabola
        let parabola = try IsoFLOPAnalysis(runs: isoFLOPDesign(), options: options)
        options.minimum = .cubic
        for (c, p) in zip(analysis.budgets, parabola.budgets) {
            let exact = try truth.computeOptimum(flops: c.flops).params!
            #expect(relativeError(c.params, exact) < relativeError(p.params, exact), "budget \(c.flops)")
        }
        let three = [1e9, 2e9, 4e9].map { Run(params: $0, flops: 1e20, loss: 2.5 + 0.01 * log($0 / 2e9) * log($0 / 2e9)) }
        let list = refusals(design(replacingBudget: three), options: options)
        #expect(list.first?.description.hasPrefix("budget 1e+20 FLOPs: 3 runs, a cubic needs at least 4") == true, "\(list)")
    }

    @Test("An exact parabola's vertex and curvature are recovered exactly")
    func exactParabola() {
        let x = [18.0, 19, 20, 21, 22, 23]
        let y = x.map { 2.5 + 0.04 * ($0 - 20.3) * ($0 - 20.3) }
        guard case let .success(m) = IsoFLOPProfile.minimum(logParams: x, losses: y, method: .parabola) else {
            Issue.record("no minimum")
            return
        }
        #expect(abs(m.logParams - 20.3) < 1e-10)
        #expect(abs(m.loss - 2.5) < 1e-12)
        #expect(abs(m.curvature - 0.08) < 1e-10)
    }

    @Test("Budgets come from a budget column when given, and clustering refuses chained runs")
    func grouping() throws {
        // Jittered C (±3%) clusters into the five budgets; a budget column gives the same groups.
        var runs = isoFLOPDesign()
        for i in runs.indices {
            runs[i].values["budget"] = runs[i].flops
            runs[i].flops! *= 1 + 0.03 * sin(Double(i))
        }
        let clustered = try BudgetGrouping.byClustering(runs, tolerance: 0.1)
        let column = try BudgetGrouping.byColumn(runs, column: "budget")
        #expect(clustered.count == 5)
        #expect(column.map(\.flops) == [1e18, 1e19, 1e20, 1e21, 1e22])
        #expect(clustered.map { $0.runs.count } == column.map { $0.runs.count })
        // Chinchilla's Figure 4 runs spread over a continuum of C: not an isoFLOP design.
        let chinchilla = try chinchillaRuns()
        do {
            _ = try BudgetGrouping.byClustering(chinchilla, tolerance: 0.1)
            Issue.record("chained runs were accepted as one budget")
        } catch {
            #expect(error.description.contains("chain into one budget"), "\(error)")
        }
    }

    @Test("Llama 3: D*(C) = 0.299·C^0.537 at 3.8e25 FLOPs gives 1.63e13 tokens and 3.9e11 parameters")
    func llama3() {
        let law = AllocationLaw(tokens: PowerLawFit(coefficient: 0.299, exponent: 0.537))
        let c = 3.8e25
        // 0.299 · exp(0.537 · ln 3.8e25) = 0.299 · exp(31.629) = 1.629e13; N = C / (6 · 1.629e13) = 3.887e11.
        #expect(relativeError(law.tokens(c), 1.63e13) < 0.005)
        #expect(relativeError(law.params(c), 3.89e11) < 0.005)
        #expect(relativeError(6 * law.params(c) * law.tokens(c), c) < 1e-12)
        // The paper trained 402B parameters on 16.55T tokens: within 4% of the law.
        #expect(relativeError(law.params(c), 402e9) < 0.04)
        #expect(abs(law.params.exponent - 0.463) < 1e-12)
    }

    @Test("DeepSeek's representation: M in the params column, C = M·D, k = 1 gives M*(C) and the same D*(C)")
    func deepSeekRepresentation() throws {
        var options = IsoFLOPOptions()
        let plain = try IsoFLOPAnalysis(runs: isoFLOPDesign(), options: options)
        // For this check M = 6N (a model whose FLOPs per token are exactly 6N), so C = M·D is unchanged.
        let byM = isoFLOPDesign().map { Run(params: 6 * $0.params!, tokens: $0.tokens, flops: $0.flops, loss: $0.loss) }
        options.flopsPerParamToken = 1
        let deepSeek = try IsoFLOPAnalysis(runs: byM, options: options)
        #expect(abs(deepSeek.allocation.params.exponent - plain.allocation.params.exponent) < 1e-12)
        #expect(relativeError(deepSeek.allocation.params.coefficient, 6 * plain.allocation.params.coefficient) < 1e-9)
        #expect(relativeError(deepSeek.allocation.tokens.coefficient, plain.allocation.tokens.coefficient) < 1e-9)
    }

    @Test("Log-log least squares is exact on a power law")
    func powerLawFit() throws {
        let x = [1e18, 1e19, 1e20, 1e21]
        let fit = try PowerLawFit.fit(x: x, y: x.map { 0.3 * pow($0, 0.46) }, what: "N*(C)")
        #expect(relativeError(fit.coefficient, 0.3) < 1e-9)
        #expect(abs(fit.exponent - 0.46) < 1e-12)
        #expect(throws: ScalingLawsError.self) { try PowerLawFit.fit(x: [1e18, 1e18], y: [1, 2], what: "N*(C)") }
    }
}
