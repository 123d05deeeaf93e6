import Foundation
import Testing
@testable import ScalingLaws

/// Training curves drawn from Hoffmann et al.'s law: `sizes` model sizes log-spaced over 1e7–1e10, each
/// logged at `points` token counts log-spaced from N/10 to 100·N (well past the compute-optimal ~20·N),
/// with the loss at D tokens taken as L(N, D), times exp(σ·z) with z standard normal from
/// `SeededGenerator(seed:)` when σ > 0.
func syntheticCurves(sizes: Int, points: Int = 30, noise sigma: Double = 0, seed: UInt64 = 0) -> [TrainingCurve] {
    var rng = SeededGenerator(seed: seed)
    let law = ChinchillaParameters(E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28)
    return (0..<sizes).map { i in
        let n = exp(log(1e7) + log(1e3) * Double(i) / Double(sizes - 1))
        let tokens = (0..<points).map { n * exp(log(0.1) + log(1000.0) * Double($0) / Double(points - 1)) }
        let losses = tokens.map { law.loss(params: n, tokens: $0) * (sigma > 0 ? exp(sigma * rng.nextNormal()) : 1) }
        return TrainingCurve(run: "run\(i)", params: n, tokens: tokens, losses: losses)
    }
}

@Suite("Training-curve envelope (Approach 1)")
struct EnvelopeTests {
    @Test("Noiseless curves of 20 sizes recover a = β/(α+β) within 0.01")
    func recovers() throws {
        let analysis = try EnvelopeAnalysis(curves: syntheticCurves(sizes: 20))
        let truth = 0.28 / 0.62
        #expect(abs(analysis.allocation.params.exponent - truth) < 0.01, "a = \(analysis.allocation.params.exponent)")
        #expect(abs(analysis.allocation.tokens.exponent - (1 - truth)) < 0.01)
        #expect(analysis.points.count == 100)
        // The staircase climbs: N* never decreases with C.
        for (p, q) in zip(analysis.points, analysis.points.dropFirst()) { #expect(q.params >= p.params) }
        // Censored stretches are the ladder's ends.
        #expect(analysis.segments.first!.censored && analysis.segments.last!.censored)
        #expect(analysis.segments.dropFirst().dropLast().allSatisfy { !$0.censored })
        // The envelope loss is the true optimum's loss to within the staircase's coarseness.
        let truthFit = try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28])
        for p in analysis.points where !p.censored {
            #expect(relativeError(p.loss, try truthFit.computeOptimum(flops: p.flops).loss) < 0.005)
        }
        let prediction = try analysis.predict(flops: 1e22)
        #expect(relativeError(prediction.params * prediction.tokens * 6, 1e22) < 1e-9)
        #expect(prediction.loss != nil)
    }

    @Test("Too few sizes on the envelope is a clear error")
    func tooFewSizes() {
        #expect(throws: ScalingLawsError.self) { try EnvelopeAnalysis(curves: syntheticCurves(sizes: 3)) }
        #expect(throws: ScalingLawsError.self) { try EnvelopeAnalysis(curves: Array(syntheticCurves(sizes: 5).prefix(1))) }
    }

    @Test("Long-format CSV: runs by id, steps converted to tokens, initial point skipped")
    func reader() throws {
        let text = """
            run_id,params,step,loss
            a,1e8,0,10.5
            a,1e8,100,3.1
            b,4e8,100,3.0
            a,1e8,200,2.9
            b,4e8,300,2.6
            """
        let curves = try CurveTable.curves(from: try CSVTable(text: text, source: "c.csv"), tokensPerStep: 1e6)
        #expect(curves.map(\.run) == ["a", "b"])
        #expect(curves[0].tokens == [1e8, 2e8])
        #expect(curves[0].losses == [3.1, 2.9])
        #expect(curves[1].params == 4e8)
    }

    @Test("Repeated token counts (digitised curves) are averaged into one point, with a note")
    func repeatedTokenCounts() throws {
        let text = "run,params,tokens,loss\na,1e8,1e9,3.0\na,1e8,2e9,2.8\na,1e8,1e9,3.2\na,1e8,4e9,2.6\nb,2e8,1e9,2.9\nb,2e8,2e9,2.7\n"
        let curves = try CurveTable.curves(from: try CSVTable(text: text, source: "c.csv"))
        #expect(curves[0].tokens == [1e9, 2e9, 4e9])
        #expect(abs(curves[0].losses[0] - 3.1) < 1e-12)
        #expect(curves[0].averagedTokenCounts == 1 && curves[1].averagedTokenCounts == 0)
        let note = try #require(CurveTable.averagingNote(curves))
        #expect(note.hasPrefix("1 token count logged more than once in 1 run (\"a\" (1))"), "\(note)")
        #expect(CurveTable.averagingNote([curves[1]]) == nil)
    }

    @Test("Long-format CSV errors name the file, line and what to fix", arguments: [
        ("run,params,tokens,loss\na,1e8,1e9,3\na,2e8,2e9,2.9\n", nil as Double?, ["c.csv, line 3", "run \"a\"", "one model size"]),
        // One token count logged twice is still one point: a curve needs two distinct token counts.
        ("run,params,tokens,loss\na,1e8,1e9,3\na,1e8,1e9,2.9\n", nil, ["c.csv, line 2", "run \"a\" has 1 distinct token count"]),
        ("run,params,tokens,loss\na,1e8,1e9,3\n", nil, ["c.csv, line 2", "run \"a\" has 1 distinct token count"]),
        ("run,params,step,loss\na,1e8,1,3\n", nil, ["no tokens column", "<tokensPerStep>"]),
        ("params,tokens,loss\n1e8,1e9,3\n", nil, ["no run column", "\"run_id\"", "<runColumn>"]),
        ("run,params,tokens,loss\na,1e8,1e9,x\n", nil, ["c.csv, line 2, column 4 (\"loss\")", "\"x\""]),
        ("run,params,tokens,loss\na,1e8,1e9,3\n", 0.0, ["<tokensPerStep>"]),
    ])
    func readerErrors(text: String, tokensPerStep: Double?, fragments: [String]) throws {
        let table = try CSVTable(text: text, source: "c.csv")
        do {
            _ = try CurveTable.curves(from: table, tokensPerStep: tokensPerStep)
            Issue.record("accepted bad input")
        } catch {
            // Settings are shown as <name>: the error refers to the setting, which a front end names.
            let text = error.description(naming: { "<\($0.rawValue)>" })
            for f in fragments { #expect(text.contains(f), "\(text) lacks \(f)") }
        }
    }
}
