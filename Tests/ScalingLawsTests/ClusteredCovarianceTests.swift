import Foundation
import Testing
@testable import ScalingLaws

/// Checkpoints of one run are not independent: the asymptotic covariance is clustered by group label
/// (``FitResult/asymptoticUncertainty(level:clustered:)``).
@Suite("Asymptotic intervals clustered by run")
struct ClusteredCovarianceTests {
    static let theta = [1.69, 406.4, 410.7, 0.34, 0.28]

    /// `runs` runs of an isoFLOP-like ladder (4 budgets, 4 sizes), `points` checkpoints each from 10% to 100% of the run's
    /// tokens, each run offset from the law by its own log-normal factor (sd `offset`) plus white noise.
    static func checkpoints(runs: Int, points: Int, offset: Double, white: Double = 0.002, seed: UInt64 = 3) -> [Run] {
        var rng = SplitMix64(seed: seed)
        let law = ChinchillaLaw()
        var out = [Run]()
        for r in 0..<runs {
            let c = pow(10, 18 + 2 * Double(r % 4) / 3)
            let size = (3 * r + r / 4) % 4  // with the budget r % 4, every (budget, size) pair once in 16 runs
            let n = 0.6 * (c / 6).squareRoot() * pow(10, -0.8 + 1.6 * Double(size) / 3)
            let d = c / (6 * n)
            let shift = offset * rng.normal()
            for i in 0..<points {
                let tokens = d * (0.1 + 0.9 * Double(i) / Double(points - 1))
                let f = law.evaluate(theta, Inputs(columns: [[n], [tokens]]))[0]
                out.append(Run(params: n.rounded(), tokens: tokens, loss: f * exp(shift + white * rng.normal()),
                               group: "run\(r)", weight: 1 / Double(points)))
            }
        }
        return out
    }

    @Test("Group numbers: shared labels share a number, unlabelled runs are their own group, nil when nothing is shared")
    func groupNumbers() throws {
        let labels: [String?] = ["a", "a", "b", nil, nil, "b", "c"]
        let runs = labels.map { Run(params: 1e8, tokens: 1e9, loss: 3, group: $0) }
        for store in [RunStore(runs), RunStore(wrapping: runs)] {
            let numbers = try #require(store.groupNumbers)
            #expect(numbers.ids == [0, 0, 1, 2, 3, 1, 4])
            #expect(numbers.count == 5)
        }
        let unique = ["a", "b", nil].map { Run(params: 1e8, tokens: 1e9, loss: 3, group: $0) }
        #expect(RunStore(unique).groupNumbers == nil)
        #expect(RunStore(wrapping: unique).groupNumbers == nil)
    }

    @Test("Runs offset from the law: clustered intervals are several times the independent ones, t on G − 1 d.o.f.")
    func correlatedCheckpointsWiden() throws {
        let fit = try ChinchillaLaw().fit(Self.checkpoints(runs: 16, points: 40, offset: 0.01))
        let clustered = try fit.asymptoticUncertainty()
        let independent = try fit.asymptoticUncertainty(clustered: false)
        #expect(clustered.clusters == 16)
        #expect(clustered.plainDegreesOfFreedom == 15)
        #expect(independent.clusters == nil)
        #expect(independent.plainDegreesOfFreedom == Double(16 * 40 - 5))
        for j in fit.parameters.indices {
            #expect(clustered.standardErrors[j] > 3 * independent.standardErrors[j], "\(fit.law.parameterNames[j])")
        }
        #expect(clustered.warnings.allSatisfy { !$0.contains("too few") })
    }

    @Test("The one-step jackknife matches the jackknife of real refits that leave each run out")
    func matchesLeaveOneRunOut() throws {
        let runs = Self.checkpoints(runs: 16, points: 20, offset: 0.01, seed: 9)
        var options = FitOptions(objective: Objective(loss: .mse, space: .log))
        let fit = try ChinchillaLaw().fit(runs, options: options)
        let clustered = try fit.asymptoticUncertainty()
        options.start = fit.parameters
        // ln θ of each refit without one run (all five parameters are positive: the solver's u is ln θ).
        var refits = [[Double]]()
        for g in 0..<16 {
            let kept = runs.filter { $0.group != "run\(g)" }
            refits.append(try ChinchillaLaw().fit(kept, options: options).parameters.map { log($0) })
        }
        for j in fit.parameters.indices {
            let values = refits.map { $0[j] }
            let mean = values.reduce(0, +) / 16
            let jackknife = (15.0 / 16 * values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }).squareRoot()
            let oneStep = clustered.standardErrors[j] / fit.parameters[j]
            #expect(oneStep > 0.8 * jackknife && oneStep < 1.25 * jackknife,
                    "\(fit.law.parameterNames[j]): one-step \(oneStep), refits \(jackknife)")
        }
    }

    @Test("With many groups the CR1 form (used above the jackknife's group limit) agrees with the jackknife")
    func manyGroupsCR1() throws {
        let fit = try ChinchillaLaw().fit(Self.checkpoints(runs: 160, points: 10, offset: 0.01, seed: 21))
        let jackknife = try fit.asymptoticUncertainty(level: 0.95, rowLimit: .max)
        let cr1 = try fit.asymptoticUncertainty(level: 0.95, rowLimit: .max, jackknifeLimit: 100)
        #expect(jackknife.clusters == 160 && cr1.clusters == 160)
        for j in fit.parameters.indices {
            let ratio = cr1.standardErrors[j] / jackknife.standardErrors[j]
            #expect(ratio > 0.85 && ratio < 1.02, "\(fit.law.parameterNames[j]): CR1 / jackknife = \(ratio)")
        }
    }

    @Test("Fewer groups than free parameters: rows taken as independent, with a warning that says so")
    func tooFewGroups() throws {
        let fit = try ChinchillaLaw().fit(Self.checkpoints(runs: 4, points: 30, offset: 0.01))
        let u = try fit.asymptoticUncertainty()
        #expect(u.clusters == nil)
        #expect(u.warnings.contains { $0.contains("4 independent groups") && $0.contains("too narrow") })
        let plain = try fit.asymptoticUncertainty(clustered: false)
        #expect(plain.standardErrors == u.standardErrors)
        #expect(!plain.warnings.contains { $0.contains("too narrow") })
    }
}
