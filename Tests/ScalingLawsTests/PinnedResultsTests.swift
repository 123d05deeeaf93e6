import Foundation
import Testing
@testable import ScalingLaws

/// The values the fit, the formula fit and the isoFLOP analysis gave before the optimisations of issue 15's
/// second round (start-up, isoFLOP, formula), recorded from the library as it was: every optimised path must
/// give them again. The optimisations reorder no arithmetic that reaches these numbers, so the agreement
/// asked is far tighter than the fit's own tolerance (LAPACK builds differ in the last bits only).
@Suite("Optimised paths give the recorded results")
struct PinnedResultsTests {
    /// Chinchilla (Huber 1e-3 on ln residuals, 240 runs): optimum, parameters and asymptotic intervals.
    static let chinchillaObjective = 0.0010182740178010256
    static let chinchillaParameters = [1.8172179885692137, 477.8251218865876, 2143.418984881892, 0.3473104018260598, 0.36717247185086244]
    static let chinchillaIntervals: [(Double, Double)] = [
        (1.7894625149531587, 1.8454039636957582), (349.83481023928715, 652.6418767468094),
        (1543.3484452952532, 2976.803429424655), (0.329651424413871, 0.3659153465848137),
        (0.3512606114244977, 0.383805128443929),
    ]

    @Test("Chinchilla, 240 runs: the recorded optimum, parameters and asymptotic intervals to 1e-10")
    func chinchilla() throws {
        let fit = try ChinchillaLaw().fit(try chinchillaRuns())
        #expect(relativeError(try #require(fit.objectiveValue), Self.chinchillaObjective) < 1e-12)
        for (j, value) in Self.chinchillaParameters.enumerated() {
            #expect(relativeError(fit.parameters[j], value) < 1e-10, "\(fit.law.parameterNames[j])")
        }
        let u = try fit.asymptoticUncertainty()
        for (j, (low, high)) in Self.chinchillaIntervals.enumerated() {
            #expect(relativeError(u.intervals[j].low, low) < 1e-10, "\(fit.law.parameterNames[j])")
            #expect(relativeError(u.intervals[j].high, high) < 1e-10, "\(fit.law.parameterNames[j])")
        }
    }

    @Test("Chinchilla, 240 runs: the recorded bootstrap intervals (40 refits, seed 3) to 1e-10")
    func bootstrap() throws {
        let fit = try ChinchillaLaw().fit(try chinchillaRuns())
        let u = try fit.bootstrap(BootstrapOptions(replicates: 40, seed: 3))
        let recorded: [(Double, Double)] = [
            (1.7821950143373688, 1.8618558839927732), (302.16632449550815, 737.1354779092981),
            (1382.2197907989475, 4499.010267913914), (0.3193647520153032, 0.37280650761604317),
            (0.3450621143086376, 0.40256729632318966),
        ]
        for (j, (low, high)) in recorded.enumerated() {
            #expect(relativeError(u.intervals[j].low, low) < 1e-10, "\(fit.law.parameterNames[j])")
            #expect(relativeError(u.intervals[j].high, high) < 1e-10, "\(fit.law.parameterNames[j])")
        }
    }

    @Test("Chinchilla as a formula: the built-in law's optimum to 1e-12")
    func formula() throws {
        let fit = try FormulaLaw("E + A*N^-alpha + B*D^-beta").fit(try chinchillaRuns())
        #expect(relativeError(try #require(fit.objectiveValue), Self.chinchillaObjective) < 1e-12)
        // The ridges (A, alpha) and (B, beta) leave the parameters free at ≈ 1e-7 along them.
        // The formula lists its parameters as written: E, A, alpha, B, beta.
        for (j, name) in ChinchillaLaw().parameterNames.enumerated() {
            let k = try #require(fit.law.parameterNames.firstIndex(of: name))
            #expect(relativeError(fit.parameters[k], Self.chinchillaParameters[j]) < 1e-6, "\(name)")
        }
    }

    @Test("IsoFLOP without resampling (45 runs): the recorded allocation, intervals and L*(C) to 1e-10")
    func isoFLOP() throws {
        let path = repositoryRoot.appendingPathComponent("Examples/data/isoflop_synthetic.csv").path
        let runs = try RunTable.runs(from: try CSVTable(contentsOf: path), variables: [Variable.params, "budget"])
        var options = IsoFLOPOptions()
        options.budgetColumn = "budget"
        let analysis = try IsoFLOPAnalysis(runs: runs, options: options)
        #expect(analysis.budgets.count == 5)
        #expect(relativeError(analysis.allocation.params.exponent, 0.44604405264816493) < 1e-10)
        #expect(relativeError(analysis.allocation.params.coefficient, 0.7550006690144528) < 1e-10)
        let a = try #require(analysis.paramsExponentInterval)
        #expect(relativeError(a.low, 0.43269563834903085) < 1e-10)
        #expect(relativeError(a.high, 0.459392466947299) < 1e-10)
        let first = analysis.budgets[0]
        #expect(relativeError(first.params, 80112658.85104972) < 1e-10)
        #expect(relativeError(first.loss, 3.5265020089163595) < 1e-10)
        #expect(relativeError(first.curvature, 0.19259277288997237) < 1e-10)
        let envelope = try #require(analysis.lossLaw)
        for (j, value) in [1.671028322463659, 978.7757289081163, 0.15121483631808444].enumerated() {
            #expect(relativeError(envelope.parameters[j], value) < 1e-10, "\(envelope.law.parameterNames[j])")
        }
    }
}
