import Foundation
import Testing
@testable import ScalingLaws

/// Library calls with hostile values found by fuzzing the saved-fit reader and the planners: each must
/// throw a typed ``ScalingLawsError`` (or, for what the package writes itself, read back), never trap or
/// return a non-finite number as a result.
@Suite("Hostile values through the library API")
struct HostileAPITests {
    static func expectBadFitFile(_ record: FitRecord, _ fragment: String) {
        do {
            _ = try FitResult(record: record, source: "f.json")
            Issue.record("accepted a record that should fail with \(fragment)")
        } catch {
            guard case let .badFitFile(path, message) = error else {
                Issue.record("expected badFitFile, got \(error)")
                return
            }
            #expect(path == "f.json")
            #expect(message.description.contains(fragment), "\(message.description) lacks \(fragment)")
        }
    }

    @Test("A fit saved with an unbounded side (--bounds alpha=0:) reads back: \"inf\" is what JSON.encode writes")
    func unboundedBoundsRoundTrip() throws {
        var options = FitOptions()
        options.constraints.bounds = ["alpha": ClosedBounds(0, .infinity), "E": ClosedBounds(0, 3)]
        let fit = try ChinchillaLaw().fit(try chinchillaRuns(), options: options)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fit-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try fit.write(to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("\"inf\""))
        let back = try FitResult(contentsOf: path)
        #expect(back.parameters == fit.parameters)
        #expect(back.constraints.bounds["alpha"] == ClosedBounds(0, .infinity))
        #expect(back.constraints.bounds["E"] == ClosedBounds(0, 3))
    }

    @Test("A fit at its bound reads back, even a rounding step beyond it; a value clearly outside is refused")
    func valuesAtBounds() throws {
        var options = FitOptions()
        options.constraints.bounds = ["alpha": ClosedBounds(0.1, 0.3)]
        let fit = try ChinchillaLaw().fit(try chinchillaRuns(), options: options)
        #expect(abs(fit["alpha"]! - 0.3) < 1e-9, "the data push alpha (0.347 free) to its upper bound")
        var r = fit.record
        _ = try FitResult(record: r)
        r.parameters["alpha"] = 0.3.nextUp
        _ = try FitResult(record: r)
        r.parameters["alpha"] = 0.3001
        Self.expectBadFitFile(r, "alpha = 0.3001 lies outside its bounds 0.1:0.3")
    }

    @Test("A damaged saved fit is refused with what is wrong, never trapped on or read as another law")
    func damagedRecords() throws {
        let fit = try ChinchillaLaw().fit(try chinchillaRuns())
        let good = fit.record
        _ = try FitResult(record: good)

        var r = good
        r.runs = Int.min  // was an overflow trap computing the degrees of freedom
        Self.expectBadFitFile(r, "\"runs\" must be a count")
        r = good
        r.runs = 1_000_000  // would have narrowed every interval silently
        Self.expectBadFitFile(r, "\"runs\" is 1000000 but \"training_runs\" holds 240 runs")
        r = good
        r.law = "saturating"  // E, A and alpha exist in both: B and beta were dropped silently
        r.configuration = [:]
        Self.expectBadFitFile(r, "\"parameters\" has B, which the saturating law does not have")
        r = good
        r.fixed = ["gamma"]
        Self.expectBadFitFile(r, "\"fixed\" names gamma")
        r = good
        r.objective.delta = -1
        Self.expectBadFitFile(r, "delta")
        r = good
        r.objective.value = .nan
        Self.expectBadFitFile(r, "\"value\" must be a finite number")
        r = good
        r.bounds = ["alpha": ClosedBounds(0.5, 0.9)]
        Self.expectBadFitFile(r, "lies outside its bounds")
        r = good
        r.bounds = ["alpha": ClosedBounds(.nan, 0.9)]
        Self.expectBadFitFile(r, "expected lower < upper")
        r = good
        r.ties = ["beta": "alpha"]
        Self.expectBadFitFile(r, "beta is tied to alpha but the values differ")
        r = good
        r.ties = ["beta": "gamma"]
        Self.expectBadFitFile(r, "gamma")
        r = good
        r.trainingRuns![3].weight = -1
        Self.expectBadFitFile(r, "training_runs: run 4")
    }

    @Test("Inference-aware plans whose FLOPs overflow, or whose comparison model is degenerate, throw")
    func inferenceAwareOverflow() throws {
        let law = ChinchillaParameters(E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28)
        #expect(throws: ScalingLawsError.self) {
            try InferenceAware.minimumCost(law, targetLoss: 2.2, inferenceTokens: 1e300)
        }
        #expect(throws: ScalingLawsError.self) {
            try InferenceAware.minimumCost(law, targetLoss: 2.2, inferenceTokens: 1e12, flopsPerParamToken: 1e300)
        }
        // β near 0: the Chinchilla-optimal model of the same loss has D = 0 tokens and an infinite loss.
        let degenerate = ChinchillaParameters(E: 1.8, A: 561, B: 1752, alpha: 0.357, beta: 1e-9)
        #expect(throws: ScalingLawsError.self) {
            try InferenceAware.minimumLoss(degenerate, totalFlops: 1e22, inferenceTokens: 1e12)
        }
        // A sound plan still goes through, with finite numbers.
        let plan = try InferenceAware.minimumCost(law, targetLoss: 2.2, inferenceTokens: 1e12)
        #expect(plan.savingFraction.isFinite && plan.optimal.totalFlops.isFinite)
    }

    @Test("A design grid with a tiny FLOPs-per-parameter-token or no sizes per decade throws (was a trap)")
    func designGridEdges() throws {
        #expect(throws: ScalingLawsError.self) {
            try DesignCandidates.grid(budget: 1e20, limits: DesignLimits(), flopsPerParamToken: 1e-300)
        }
        for count in [0, -3] {
            #expect(throws: ScalingLawsError.self) {
                try DesignCandidates.grid(budget: 1e20, limits: DesignLimits(), flopsPerParamToken: 6, sizesPerDecade: count)
            }
        }
        // A --max-params far above what the budget buys gives the same candidates as none.
        let capped = try DesignCandidates.grid(budget: 1e20, limits: DesignLimits(maxParams: 1e300), flopsPerParamToken: 6)
        let free = try DesignCandidates.grid(budget: 1e20, limits: DesignLimits(), flopsPerParamToken: 6)
        #expect(capped.map(\.params) == free.map(\.params))
        #expect(capped.map(\.tokens) == free.map(\.tokens))
    }

    @Test("Chinchilla parameters that are not a law are refused by the inference-aware planners (alpha NaN, 0 or negative looped forever)",
          arguments: [Double.nan, 0, -1, .infinity])
    func inferenceAwareInvalidParameters(alpha: Double) {
        let law = ChinchillaParameters(E: 1.69, A: 406.4, B: 410.7, alpha: alpha, beta: 0.28)
        #expect(throws: ScalingLawsError.self) { try InferenceAware.minimumLoss(law, totalFlops: 1e22, inferenceTokens: 1e12) }
        #expect(throws: ScalingLawsError.self) { try InferenceAware.minimumCost(law, targetLoss: 2.2, inferenceTokens: 1e12) }
    }

    @Test("A design grid over a span of sizes beyond double precision throws (was a trap)")
    func designGridSpan() {
        #expect(throws: ScalingLawsError.self) {
            try DesignCandidates.grid(budget: 1e20, limits: DesignLimits(minParams: 5e-324), flopsPerParamToken: 6)
        }
        #expect(throws: ScalingLawsError.self) {
            try DesignCandidates.grid(budget: 1e20, limits: DesignLimits(), flopsPerParamToken: 6, ratioCount: Int.max)
        }
    }

    @Test("Training curves built by hand that break what forecasts rely on are refused (were traps)")
    func handBuiltCurves() throws {
        let tokens = (1...20).map { Double($0) * 1e8 }
        let losses = tokens.map { 2 + 10 * pow($0, -0.1) }
        let good = TrainingCurve(run: "r", params: 1e8, tokens: tokens, losses: losses)
        _ = try good.forecast(at: 5e9)
        let bad: [(TrainingCurve, String)] = [
            (TrainingCurve(run: "r", params: 1e8, tokens: [], losses: []), "0 token counts"),
            (TrainingCurve(run: "r", params: 1e8, tokens: tokens, losses: Array(losses.prefix(2))), "20 token counts and 2 losses"),
            (TrainingCurve(run: "r", params: 1e8, tokens: tokens.reversed(), losses: losses.reversed()), "increasing"),
            (TrainingCurve(run: "r", params: 1e8, tokens: tokens.map { $0 == 5e8 ? .nan : $0 }, losses: losses), "point 5"),
            (TrainingCurve(run: "r", params: 1e8, tokens: tokens, losses: losses.map { $0 > 3.3 ? -1 : $0 }), "the loss must be"),
            (TrainingCurve(run: "r", params: .nan, tokens: tokens, losses: losses), "N must be"),
        ]
        for (curve, fragment) in bad {
            do {
                _ = try curve.forecast(at: 5e9)
                Issue.record("accepted a curve that should fail with \(fragment)")
            } catch {
                #expect(error.description.contains(fragment), "\(error.description) lacks \(fragment)")
            }
            // The calibration is then the prior alone, and the envelope refuses the curve.
            #expect(curve.calibrate(through: 1e9).samples.isEmpty)
            #expect(throws: ScalingLawsError.self) { try EnvelopeAnalysis(curves: [good, curve]) }
        }
        #expect(good.calibrate(through: .nan).samples.isEmpty)
    }

    @Test("A percentile at NaN: the split throws, the quantile is NaN (were traps converting NaN to Int)")
    func percentileNaN() {
        let runs = (1...12).map { Run(params: 1e7 * Double($0), tokens: 2e8 * Double($0), loss: 3 - 0.05 * Double($0)) }
        #expect(throws: ScalingLawsError.self) {
            try ChinchillaLaw().backtest(runs, split: .percentile(variable: "flops", op: .lessOrEqual, quantile: .nan))
        }
        #expect(Quantiles.percentile([1, 2, 3], .nan).isNaN)
        #expect(Quantiles.percentile([1, 2, 3], 0.5) == 2)
    }

    @Test("Destination checks on one-character paths (NSString's path methods trapped on \"x\" and \"-\")")
    func oneCharacterPaths() throws {
        #expect(AtomicFile.directory(of: "x") == ".")
        #expect(AtomicFile.directory(of: "-") == ".")
        #expect(AtomicFile.directory(of: "/x") == "/")
        #expect(AtomicFile.directory(of: "/") == "/")
        #expect(AtomicFile.directory(of: "a/b/") == "a")
        #expect(AtomicFile.directory(of: "a//b") == "a")
        #expect(AtomicFile.directory(of: "dir/sub/fit.svg") == "dir/sub")
        #expect(AtomicFile.lastComponent(of: "x") == "x")
        #expect(AtomicFile.lastComponent(of: "dir/fit.svg") == "fit.svg")
        #expect(AtomicFile.lastComponent(of: "dir/x/") == "x")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("one-char-\(UUID())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Data("svg".utf8), to: dir + "/x", option: .plotFile)
        #expect(FileManager.default.contents(atPath: dir + "/x") == Data("svg".utf8))
    }

    @Test("A reference grid of 0 or fewer points per variable is one point, not a trap", arguments: [0, -3])
    func referenceGridPoints(points: Int) {
        let reference = LawReference.grid(ChinchillaLaw(), parameters: [1.69, 406.4, 410.7, 0.34, 0.28],
                                          ranges: ["params": 1e7...1e9, "tokens": 1e8...1e10], points: points)
        #expect(reference.inputs.count == 1)
    }
}
