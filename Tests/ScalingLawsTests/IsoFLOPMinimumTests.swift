import Foundation
import Testing
@testable import ScalingLaws

/// The compute-optimal size of Hoffmann et al.'s law at budget C under C = 6ND:
/// N* = G·(C/6)^(β/(α+β)), G = (αA/(βB))^(1/(α+β)) (Hoffmann et al. 2022, eq. 4).
func hoffmannOptimalParams(_ c: Double) -> Double {
    let (a, b, alpha, beta) = (hoffmannTheta[1], hoffmannTheta[2], hoffmannTheta[3], hoffmannTheta[4])
    let g = pow(alpha * a / (beta * b), 1 / (alpha + beta))
    return g * pow(c / 6, beta / (alpha + beta))
}

/// A lopsided isoFLOP sweep: one grid of `sizes` model sizes log-spaced over `decades` decades of N,
/// shared by every budget (as real sweeps train one ladder of models at every budget), and `budgets`
/// budgets whose true optimum N* moves from 0.3 decades above the smallest size to the middle of
/// the grid. Small budgets see most of their points above the optimum. Loss from Hoffmann et al.'s law
/// times exp(σ·z).
func lopsidedSweep(budgets: Int = 6, sizes: Int = 16, decades: Double = 2.5, noise sigma: Double = 0, seed: UInt64 = 0) -> [Run] {
    var rng = SeededGenerator(seed: seed)
    let law = ChinchillaLaw()
    let nLow = 1e7
    let grid = (0..<sizes).map { nLow * pow(10, decades * Double($0) / Double(sizes - 1)) }
    // Budgets whose N* runs from nLow·10^0.3 to nLow·10^(decades/2).
    let a = hoffmannTheta[4] / (hoffmannTheta[3] + hoffmannTheta[4])
    let c0 = 6 * pow(nLow * pow(10, 0.3) / hoffmannOptimalParams(6), 1 / a) * 1
    var runs = [Run]()
    for j in 0..<budgets {
        let target = 0.3 + (decades / 2 - 0.3) * Double(j) / Double(budgets - 1)
        let c = c0 * pow(10, (target - 0.3) / a)
        for n in grid {
            let d = c / (6 * n)
            let loss = law.evaluate(hoffmannTheta, Inputs(columns: [[n], [d]]))[0]
            runs.append(Run(params: n, tokens: d, flops: c, loss: sigma > 0 ? loss * exp(sigma * rng.nextNormal()) : loss,
                            values: ["budget": c]))
        }
    }
    return runs
}

@Suite("IsoFLOP minima: spline, window and parabola")
struct IsoFLOPMinimumTests {
    let truth = hoffmannTheta[4] / (hoffmannTheta[3] + hoffmannTheta[4])

    func exponent(_ runs: [Run], _ method: IsoFLOPProfile.Method) throws -> Double {
        var options = IsoFLOPOptions()
        options.minimum = method
        options.budgetColumn = "budget"
        return try IsoFLOPAnalysis(runs: runs, options: options).allocation.params.exponent
    }

    @Test("measurement", .enabled(if: ProcessInfo.processInfo.environment["ISOFLOP_MEASURE"] == "1"))
    func measure() throws {
        for (name, design) in [("lopsided 2.5 decades", { (s: Double, seed: UInt64) in lopsidedSweep(noise: s, seed: seed) }),
                               ("lopsided 2 decades 10 sizes", { (s: Double, seed: UInt64) in lopsidedSweep(sizes: 10, decades: 2, noise: s, seed: seed) }),
                               ("lopsided 3 decades 20 sizes", { (s: Double, seed: UInt64) in lopsidedSweep(sizes: 20, decades: 3, noise: s, seed: seed) }),
                               ("balanced 9 sizes", { (s: Double, seed: UInt64) in isoFLOPDesign(noise: s, seed: seed).map { var r = $0; r.values["budget"] = r.flops; return r } })] {
            for sigma in [0.0, 0.001, 0.002, 0.005, 0.01] {
                var line = "\(name) σ=\(sigma):"
                for method in IsoFLOPProfile.Method.allCases {
                    var errors = [Double](), failed = 0
                    for seed in UInt64(1)...(sigma == 0 ? 1 : 50) {
                        do { errors.append(abs(try exponent(design(sigma, seed), method) - truth)) } catch { failed += 1 }
                    }
                    let within = errors.filter { $0 < 0.01 }.count
                    line += String(format: "  %@ mean|err| %.4f within0.01 %d/%d failed %d", method.rawValue,
                                   errors.reduce(0, +) / Double(max(errors.count, 1)), within, errors.count, failed)
                }
                print(line)
            }
        }
    }

    @Test("Lopsided sweep over 3 decades: spline and window recover a within 0.01, the global parabola misses by more than 0.03")
    func lopsidedRecovery() throws {
        let runs = lopsidedSweep(sizes: 20, decades: 3)
        let spline = try exponent(runs, .spline), window = try exponent(runs, .window), parabola = try exponent(runs, .parabola)
        #expect(abs(spline - truth) < 0.01, "spline a = \(spline), truth \(truth)")
        #expect(abs(window - truth) < 0.01, "window a = \(window), truth \(truth)")
        #expect(abs(parabola - truth) > 0.03, "parabola a = \(parabola), truth \(truth)")
        // Per budget, the local minima sit on the exact optimum; the parabola's vertex is pulled up the heavy side.
        var options = IsoFLOPOptions()
        options.budgetColumn = "budget"
        options.minimum = .spline
        for b in try IsoFLOPAnalysis(runs: runs, options: options).budgets {
            #expect(relativeError(b.params, hoffmannOptimalParams(b.flops)) < 0.02, "budget \(b.flops)")
        }
    }

    @Test("A budget whose lowest loss is at the edge is skipped with the reason; the exponent is still reported")
    func edgeBudget() throws {
        // A seventh budget far above the grid: its optimum lies beyond the largest size, so the loss falls to the edge.
        let law = ChinchillaLaw()
        let c = 1e23
        let edge = stride(from: 7.0, through: 9.5, by: 2.5 / 15).map { e -> Run in
            let n = pow(10, e)
            return Run(params: n, tokens: c / (6 * n), flops: c, loss: law.evaluate(hoffmannTheta, Inputs(columns: [[n], [c / (6 * n)]]))[0],
                       values: ["budget": c])
        }
        #expect(hoffmannOptimalParams(c) > pow(10, 9.5))
        for method in [IsoFLOPProfile.Method.spline, .window] {
            var options = IsoFLOPOptions()
            options.budgetColumn = "budget"
            options.minimum = method
            let analysis = try IsoFLOPAnalysis(runs: lopsidedSweep(sizes: 16) + edge, options: options)
            #expect(analysis.budgets.count == 6)
            #expect(analysis.skipped.map(\.flops) == [c])
            let reason = try #require(analysis.skipped.first?.reason)
            #expect(reason.contains("lowest loss is at the largest size sampled"), "\(reason)")
            #expect(reason.contains("add larger models"), "\(reason)")
            #expect(abs(analysis.allocation.params.exponent - truth) < 0.01)
        }
    }

    @Test("Akima spline: exact on straight lines, and its node slopes follow Akima's weights")
    func akima() {
        let x = [0.0, 1, 2, 3, 4], y = x.map { 2 * $0 + 1 }
        #expect(IsoFLOPProfile.akimaDerivatives(x, y).allSatisfy { abs($0 - 2) < 1e-12 })
        // A profile with its lowest knot inside: the minimum of the spline lies between the neighbours.
        guard case let .success(m) = IsoFLOPProfile.minimum(logParams: [0, 1, 2, 3, 4, 5], losses: [3, 2.5, 2.2, 2.15, 2.3, 2.6].map { $0 }, method: .spline) else {
            Issue.record("no minimum")
            return
        }
        #expect(m.logParams > 2 && m.logParams < 4)
        #expect(m.loss <= 2.15 + 1e-12)
        #expect(m.curvature > 0)
        // Repeated sizes are averaged in ln L.
        let (u, v) = IsoFLOPProfile.averagedLogLosses([1, 0, 1], [2, 3, 8])
        #expect(u == [0, 1])
        #expect(abs(v[1] - log(4)) < 1e-12)
    }

    /// Over 20 noisy sweeps (σ = 0.002 in ln L), the 95% interval of a from the noise bootstrap (σ known,
    /// weights 1/SE²) and from the regression must each cover the truth at least 17 times (binomial(20,
    /// 0.95) falls below 17 with probability 1.6%).
    @Test("Noise bootstrap and regression: intervals of a and of N* a decade out cover the truth (17 of 20 sweeps)")
    func noiseBootstrapCoverage() throws {
        var noiseCovered = 0, regressionCovered = 0, forecastCovered = (noise: 0, regression: 0)
        for seed in UInt64(1)...20 {
            let runs = lopsidedSweep(sizes: 16, noise: 0.002, seed: 300 + seed)
            var options = IsoFLOPOptions()
            options.budgetColumn = "budget"
            let plain = try IsoFLOPAnalysis(runs: runs, options: options)
            if try #require(plain.paramsExponentInterval).contains(truth) { regressionCovered += 1 }
            // N*(C) a decade beyond the largest budget.
            let target = 10 * plain.budgets.map(\.flops).max()!
            if try #require(try plain.predict(flops: target).paramsInterval).contains(hoffmannOptimalParams(target)) { forecastCovered.regression += 1 }
            options.noise = 0.002
            options.bootstrapReplicates = 300
            options.seed = seed
            let noisy = try IsoFLOPAnalysis(runs: runs, options: options)
            #expect(noisy.budgets.allSatisfy { ($0.logParamsStandardError ?? 0) > 0 })
            #expect(noisy.bootstrap?.kind == .noise)
            if try #require(noisy.paramsExponentInterval).contains(truth) { noiseCovered += 1 }
            if try #require(try noisy.predict(flops: target).paramsInterval).contains(hoffmannOptimalParams(target)) { forecastCovered.noise += 1 }
            // b = 1 − a in every replicate.
            let a = try #require(noisy.paramsExponentInterval), b = try #require(noisy.tokensExponentInterval)
            #expect(abs(b.low - (1 - a.high)) < 1e-9 && abs(b.high - (1 - a.low)) < 1e-9)
        }
        #expect(noiseCovered >= 17, "noise bootstrap: \(noiseCovered) of 20")
        #expect(regressionCovered >= 17, "regression: \(regressionCovered) of 20")
        #expect(forecastCovered.noise >= 17 && forecastCovered.regression >= 17, "N*(10·C_max) covered: \(forecastCovered) of 20")
        print("isoflop coverage of 20: exponent noise \(noiseCovered), regression \(regressionCovered); N*(10·C_max) \(forecastCovered)")
    }

    @Test("Student t quantiles match the tables")
    func studentT() {
        #expect(abs(StudentT.quantile(twoSided: 0.95, degreesOfFreedom: 1) - 12.706) < 1e-3)
        #expect(abs(StudentT.quantile(twoSided: 0.95, degreesOfFreedom: 2) - 4.303) < 1e-3)
        #expect(abs(StudentT.quantile(twoSided: 0.95, degreesOfFreedom: 3) - 3.182) < 1e-3)
        #expect(abs(StudentT.quantile(twoSided: 0.90, degreesOfFreedom: 10) - 1.812) < 1e-3)
    }
}
