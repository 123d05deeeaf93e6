import Foundation
import Testing
@testable import ScalingLaws

/// `curve --run` keeping one run's points and `envelope` read in two passes: same results and same errors
/// as reading every curve into memory.
@Suite("Curves and envelope in bounded memory")
struct BoundedMemoryCurveTests {
    /// Writes `text` to a fresh temporary file and returns its path.
    private func file(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID()).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A long-format log of `syntheticCurves(sizes:points:noise:)`, grouped by run or interleaved; with
    /// `repeats` each run's rows are in reverse order and its third point logged twice.
    private func log(_ curves: [TrainingCurve], interleaved: Bool = false, repeats: Bool = false) -> String {
        var rows = [(run: Int, point: Int, line: String)]()
        for (r, c) in curves.enumerated() {
            var points = Array(zip(c.tokens, c.losses))
            if repeats { points.append((c.tokens[2], c.losses[2] * 1.01)); points.reverse() }
            for (i, (t, l)) in points.enumerated() { rows.append((r, i, "\(c.run),\(c.params),\(t),\(l)")) }
        }
        // Interleaved: the first point of every run, then the second, …
        if interleaved { rows.sort { ($0.point, $0.run) < ($1.point, $1.run) } }
        return "run,params,tokens,loss\n" + rows.map(\.line).joined(separator: "\n") + "\n"
    }

    private func expectSame(_ a: EnvelopeAnalysis, _ b: EnvelopeAnalysis) {
        #expect(a.curves == b.curves)
        #expect(a.points.count == b.points.count)
        for (p, q) in zip(a.points, b.points) {
            #expect(p.run == q.run && p.params == q.params && p.censored == q.censored)
            #expect(relativeError(p.flops, q.flops) <= 1e-12 && relativeError(p.loss, q.loss) <= 1e-12
                    && relativeError(p.tokens, q.tokens) <= 1e-12)
        }
        #expect(a.segments == b.segments)
        #expect(abs(a.allocation.params.exponent - b.allocation.params.exponent) <= 1e-12)
        #expect(relativeError(a.allocation.params.coefficient, b.allocation.params.coefficient) <= 1e-12)
    }

    @Test("The streamed envelope equals the in-memory one: grouped, interleaved and averaged logs")
    func envelopeMatchesInMemory() throws {
        let curves = syntheticCurves(sizes: 12, points: 25, noise: 0.01, seed: 3)
        for (interleaved, repeats) in [(false, false), (true, false), (false, true)] {
            let path = try file(log(curves, interleaved: interleaved, repeats: repeats))
            defer { try? FileManager.default.removeItem(atPath: path) }
            var options = EnvelopeOptions()
            options.gridPoints = 57
            let read = try CurveTable.curves(contentsOf: path)
            let memory = try EnvelopeAnalysis(curves: read, options: options)
            let streamed = try EnvelopeAnalysis.read(contentsOf: path, options: options)
            expectSame(streamed.analysis, memory)
            #expect(streamed.averagingNote == CurveTable.averagingNote(read))
            #expect((streamed.averagingNote != nil) == repeats)
            #expect(streamed.streamed == !interleaved, "a grouped log is read in two passes, an interleaved one into memory")
        }
    }

    @Test("The streamed envelope keeps the in-memory errors and their lines")
    func envelopeErrors() throws {
        let good = "run,params,tokens,loss\na,1e8,1e9,3.1\na,1e8,2e9,3.0\nb,4e8,1e9,3.0\nb,4e8,2e9,2.8\n"
        let cases = [
            good + "c,1e9,1e9,oops\n",                           // a bad value in the last run
            good + "c,1e9,1e9,2.9\nc,1e9,1e9,2.8\n",             // one distinct token count
            good.replacingOccurrences(of: "b,4e8,2e9", with: "b,5e8,2e9"),   // the model size changes
            "run,params,tokens,loss\na,1e8,1e9,3.1\na,1e8,2e9,3.0\n",        // one curve
            "run,params,tokens,loss\n",
        ]
        for text in cases {
            let path = try file(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let expected = try #require(#expect(throws: ScalingLawsError.self) {
                try EnvelopeAnalysis(curves: try CurveTable.curves(contentsOf: path))
            })
            #expect(throws: expected) { try EnvelopeAnalysis.read(contentsOf: path) }
        }
    }

    @Test("A selected run's curve equals the full read; other runs are still checked")
    func selectedRun() throws {
        let curves = syntheticCurves(sizes: 4, points: 10)
        let path = try file(log(curves, repeats: true))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let all = try CurveTable.curves(contentsOf: path)
        let selection = try CurveTable.curves(contentsOf: path, runs: ["run2"])
        #expect(selection.curves == [all[2]])
        #expect(selection.curves[0].averagedTokenCounts == 1)
        #expect(selection.runs == ["run0", "run1", "run2", "run3"])
        #expect(try CurveTable.curves(contentsOf: path, runs: ["nope"]).curves.isEmpty)

        let good = "run,params,tokens,loss\na,1e8,1e9,3.1\na,1e8,2e9,3.0\n"
        for text in [good + "b,4e8,1e9,3.0\nb,4e8,2e9,-1\n", good + "b,4e8,1e9,3.0\nb,4e8,1e9,2.9\n",
                     good + "b,4e8,0,3.0\n", good + "a,2e8,3e9,2.9\n"] {
            let bad = try file(text)
            defer { try? FileManager.default.removeItem(atPath: bad) }
            let expected = try #require(#expect(throws: ScalingLawsError.self) { try CurveTable.curves(contentsOf: bad) })
            #expect(throws: expected) { try CurveTable.curves(contentsOf: bad, runs: ["a"]) }
        }
    }
}
