import Foundation
import Testing
@testable import ScalingLaws

/// Long-format logs, per-run weights, checkpoint fits and partial-run forecasts.
struct TrainingCurveTests {
    static let truth = (E: 1.69, A: 406.4, B: 410.7, alpha: 0.34, beta: 0.28)

    static func chinchilla(_ n: Double, _ d: Double) -> Double {
        truth.E + truth.A * pow(n, -truth.alpha) + truth.B * pow(d, -truth.beta)
    }

    typealias LoggedRun = (n: Double, ratio: Double, points: Int, bias: Double)

    /// A long-format CSV: for each (N, tokens-per-param) a run logged `points` times up to D = ratio·N,
    /// loss from the Chinchilla law times (1 + bias) with multiplicative noise σ; rows shuffled.
    static func longCSV(runs: [LoggedRun], sigma: Double, seed: UInt64) -> String {
        var rng = SeededGenerator(seed: seed)
        var rows = [String]()
        for (k, r) in runs.enumerated() {
            let d = r.n * r.ratio
            for p in 0...r.points {
                let t = d * Double(p) / Double(r.points)
                let loss = p == 0 ? 10.0 : chinchilla(r.n, t) * (1 + r.bias) * exp(sigma * rng.normal())
                rows.append("run\(k),\(r.n),\(t),\(loss)")
            }
        }
        rows.shuffle(using: &rng)
        return "run,params,tokens,loss\n" + rows.joined(separator: "\n") + "\n"
    }

    @Test func finalUsesTheLastPointOfEachRunInAnyOrder() throws {
        let text = "name,params,tokens,loss\nb,2e8,4e9,2.9\na,1e8,1e9,3.5\nb,2e8,0,10\na,1e8,2e9,3.1\nb,2e8,2e9,3.2\na,1e8,5e8,3.9\n"
        let table = try CSVTable(text: text, source: "log.csv")
        // Repeated labels with only a tokens column are ambiguous: not recognised, read when asked (--use).
        #expect(!LongFormat.isLongFormat(table))
        #expect(LongFormat.repeatedLabel(in: table)?.label == "b")
        let final = try LongFormat.runs(from: table, variables: ChinchillaLaw().variables, use: .final)
        #expect(final.map(\.group) == ["b", "a"])
        #expect(final.map(\.tokens) == [4e9, 2e9])
        #expect(final.map(\.loss) == [2.9, 3.1])
        #expect(final.allSatisfy { $0.weight == nil })
        let checkpoints = try LongFormat.runs(from: table, variables: ChinchillaLaw().variables, use: .checkpoints)
        #expect(checkpoints.count == 5)   // the point at 0 tokens is dropped
        #expect(checkpoints.filter { $0.group == "a" }.map(\.tokens) == [5e8, 1e9, 2e9])
        #expect(checkpoints.filter { $0.group == "a" }.allSatisfy { $0.weight == 1.0 / 3 })
        #expect(checkpoints.filter { $0.group == "b" }.allSatisfy { $0.weight == 0.5 })
    }

    @Test func wideFilesWithDistinctRunLabelsAreNotLongFormat() throws {
        let table = try CSVTable(text: "run,params,tokens,loss\na,1e8,1e9,3\nb,2e8,2e9,2.8\n", source: "w.csv")
        #expect(!LongFormat.isLongFormat(table))
    }

    /// Issue 11, defect 2: a run-per-row ladder labelled by model (`model-<N>M` over several token
    /// counts) is not a long-format log; all its rows are runs. With a step column it is one.
    @Test func ladderLabelledByModelKeepsEveryRow() throws {
        var rows = ["name,params,tokens,loss"]
        for n in [10, 20, 40, 80] { for d in [1e9, 2e9, 4e9] { rows.append("model-\(n)M,\(Double(n) * 1e6),\(d),3") } }
        let table = try CSVTable(text: rows.joined(separator: "\n"), source: "ladder.csv")
        #expect(!LongFormat.isLongFormat(table))
        #expect(try RunTable.runs(from: table, variables: ChinchillaLaw().variables).count == 12)
        let logged = try CSVTable(text: "run,params,step,tokens,loss\na,1e8,1,1e9,3\na,1e8,2,2e9,2.9\n", source: "log.csv")
        #expect(LongFormat.isLongFormat(logged))
    }

    @Test func integerWeightsEqualRepeatedRuns() throws {
        let runs = syntheticLadder(sizes: geometric(1e7, 1e9, 5), ratios: [5, 20, 80]).enumerated().map { i, r in
            var run = r
            run.loss = Self.chinchilla(r.params!, r.tokens!) * (1 + 0.01 * sin(Double(i)))
            return run
        }
        for objective in [Objective(loss: .mse), Objective()] {
            var weighted = runs
            weighted[3].weight = 3
            weighted[7].weight = 2
            let repeated = runs + [runs[3], runs[3], runs[7]]
            let a = try ChinchillaLaw().fit(weighted, options: FitOptions(objective: objective))
            let b = try ChinchillaLaw().fit(repeated, options: FitOptions(objective: objective))
            for (x, y) in zip(a.parameters, b.parameters) { #expect(relativeError(x, y) < 1e-5) }
            if objective.loss != .mse { #expect(relativeError(a.objectiveValue!, b.objectiveValue!) < 1e-6) }
        }
    }

    @Test func checkpointFitRecoversTheLaw() throws {
        let ladder: [LoggedRun] = geometric(2e7, 1e9, 6).flatMap { n in [5.0, 20, 80].map { LoggedRun(n: n, ratio: $0, points: 12, bias: 0) } }
        let table = try CSVTable(text: Self.longCSV(runs: ladder, sigma: 0.003, seed: 5), source: "ckpt.csv")
        let runs = try LongFormat.runs(from: table, variables: ChinchillaLaw().variables, use: .checkpoints)
        #expect(runs.count == 18 * 12)
        let fit = try ChinchillaLaw().fit(runs)
        #expect(relativeError(fit["E"]!, Self.truth.E) < 0.03)
        #expect(relativeError(fit["alpha"]!, Self.truth.alpha) < 0.08)
        #expect(relativeError(fit["beta"]!, Self.truth.beta) < 0.08)
        #expect(relativeError(try fit.predict([Run(params: 70e9, tokens: 1.4e12)])[0], Self.chinchilla(70e9, 1.4e12)) < 0.01)
        let u = try fit.asymptoticUncertainty()
        #expect(u.intervals.allSatisfy { $0.low <= $0.high })
    }

    /// One long run logged 400 times whose checkpoints sit 4% above the law (a cosine schedule before
    /// its decay) against 15 runs logged 6 times each: unweighted, it pulls the fit; weighted 1/m, it
    /// counts as one run.
    @Test func weightingKeepsOneLongRunFromDominating() throws {
        var ladder: [LoggedRun] = geometric(2e7, 1e9, 5).flatMap { n in [5.0, 20, 80].map { LoggedRun(n: n, ratio: $0, points: 6, bias: 0) } }
        ladder.append(LoggedRun(n: 2e8, ratio: 100, points: 400, bias: 0.04))
        let table = try CSVTable(text: Self.longCSV(runs: ladder, sigma: 0.002, seed: 9), source: "long.csv")
        let weighted = try LongFormat.runs(from: table, variables: ChinchillaLaw().variables, use: .checkpoints)
        let long = weighted.filter { $0.group == "run15" }
        #expect(long.count == 400)
        #expect(abs(long.reduce(0) { $0 + $1.weight! } - 1) < 1e-12)
        let unweighted = weighted.map { var r = $0; r.weight = nil; return r }
        let mse = FitOptions(objective: Objective(loss: .mse))
        let a = try ChinchillaLaw().fit(weighted, options: mse)
        let b = try ChinchillaLaw().fit(unweighted, options: mse)
        let others = try ChinchillaLaw().fit(unweighted.filter { $0.group != "run15" }, options: mse)
        let targets = [Run(params: 1e8, tokens: 2e9), Run(params: 5e8, tokens: 1e10), Run(params: 1e9, tokens: 2e10)]
        let truth = targets.map { Self.chinchilla($0.params!, $0.tokens!) }
        func error(_ f: FitResult) throws -> Double { zip(try f.predict(targets), truth).map { relativeError($0, $1) }.max()! }
        print("weighting: others \(try error(others)), weighted \(try error(a)), unweighted \(try error(b))")
        #expect(try error(a) < 0.01)
        #expect(try error(b) > 2 * error(a))
    }

    /// ≥ 90% of seeded partial-run forecasts from the first 30% of a run cover the run's final loss.
    @Test func partialRunForecastsCoverTheFinalLoss() throws {
        var rng = SeededGenerator(seed: 2024)
        var covered = 0, cases = 0
        for _ in 0..<60 {
            let total = 2e10
            let e = 1.6 + 0.6 * Double.random(in: 0..<1, using: &rng)
            let alpha = 0.2 + 0.3 * Double.random(in: 0..<1, using: &rng)
            let a = (0.2 + 0.5 * Double.random(in: 0..<1, using: &rng)) * pow(total, alpha)
            let sigma = 0.004
            let tokens = (1...200).map { total * Double($0) / 200 }
            let losses = tokens.map { t in
                (e + a * pow(t, -alpha) + 0.8 * exp(-t / (0.004 * total))) * exp(sigma * rng.normal())
            }
            let curve = TrainingCurve(run: "r", params: 1e8, tokens: tokens, losses: losses)
            var options = CurveForecastOptions()
            options.through = 0.3 * total
            let f = try curve.forecast(at: total, options: options)
            #expect(f.pointsHeldOut == 140)
            #expect(f.actual == losses.last)
            cases += 1
            if f.newRunInterval.contains(losses.last!) { covered += 1 }
        }
        #expect(Double(covered) >= 0.9 * Double(cases), "covered \(covered) of \(cases)")
    }

    @Test func warmupOptionsAndTooFewPoints() throws {
        let curve = TrainingCurve(run: "r", params: 1e8, tokens: [1, 2, 3, 4, 5, 6].map { $0 * 1e9 },
                                  losses: [4, 3.2, 3.0, 2.9, 2.85, 2.82])
        var options = CurveForecastOptions()
        options.warmup = .tokens(1e9)
        let f = try curve.forecast(at: 2e10, options: options)
        #expect(f.pointsSkipped == 1 && f.pointsUsed == 5)
        options.warmup = .tokens(3e9)
        #expect(throws: ScalingLawsError.self) { try curve.forecast(at: 2e10, options: options) }
        options.warmup = .fraction(1.5)
        #expect(throws: ScalingLawsError.self) { try curve.forecast(at: 2e10, options: options) }
    }

    /// A million-row long-format log is read and reduced to final losses (timing printed, not asserted).
    /// Slow (about 20 s): runs only with SCALING_SLOW_TESTS set (see the Testing article).
    @Test(.enabled(if: slowTestsEnabled, "set SCALING_SLOW_TESTS=1 to run"))
    func millionRowLog() throws {
        var text = "run,params,tokens,loss\n"
        text.reserveCapacity(40_000_000)
        for r in 0..<1000 {
            for p in 1...1000 { text += "r\(r),\(1e7 * Double(r + 1)),\(p * 1_000_000),\(2 + 1 / Double(p))\n" }
        }
        let start = Date()
        let table = try CSVTable(text: text, source: "big.csv")
        let runs = try LongFormat.runs(from: table, variables: ChinchillaLaw().variables, use: .final)
        print("1M-row long CSV: \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        #expect(runs.count == 1000)
        #expect(runs.allSatisfy { $0.tokens == 1e9 && $0.loss == 2.001 })
    }
}

@Suite("Streaming CSV")
struct StreamingCSVTests {
    @Test("Bytes fed in any pieces parse to the same records as the whole text")
    func chunkBoundaries() throws {
        let text = "\u{FEFF}# comment\r\n  # indented comment\rrun,\"a \"\"quoted\"\" name\",loss\r\n\r\nr1, 1e9 ,\"2,5\"\n#2,2.5e9,\"multi\r\nline\"\r\"r2\",2e9,\"x\"\"y\"\nr3,3e9,\"\"\n"
        let whole = try CSVTable(text: text, source: "t.csv")
        let bytes = Array(text.utf8)
        for size in [1, 2, 3, 7, bytes.count] {
            var parser = CSVRecordParser()
            var records = [(Int, [String])]()
            var i = 0
            while i < bytes.count {
                let piece = Array(bytes[i..<min(i + size, bytes.count)])
                piece.withUnsafeBufferPointer { parser.feed($0) { records.append(($0, $1)) } }
                i += size
            }
            #expect(parser.finish { records.append(($0, $1)) })
            #expect(records.first?.1 == whole.header, "piece size \(size)")
            #expect(records.dropFirst().map(\.1) == whole.rows, "piece size \(size)")
            #expect(records.dropFirst().map(\.0) == whole.lines, "piece size \(size)")
        }
        #expect(whole.header == ["run", "a \"quoted\" name", "loss"])
        #expect(whole.rows[1] == ["#2", "2.5e9", "multi\r\nline"], "below the header, # starts data")
        #expect(whole.rows[2] == ["r2", "2e9", "x\"y"])
        #expect(whole.lines == [5, 6, 8, 9])
    }

    @Test("Curves read as a stream equal curves read from the table, and errors keep their line numbers")
    func streamedCurves() throws {
        let path = repositoryRoot.appendingPathComponent("Examples/data/learning_curves_synthetic.csv").path
        let streamed = try CurveTable.curves(contentsOf: path)
        let table = try CurveTable.curves(from: try CSVTable(contentsOf: path))
        #expect(streamed == table)
        #expect(streamed.count == 3)

        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: bad) }
        try "run,params,tokens,loss\nr1,1e8,1e9,3.1\nr1,1e8,2e9,oops\n".write(to: bad, atomically: true, encoding: .utf8)
        let error = try #require(#expect(throws: ScalingLawsError.self) { try CurveTable.curves(contentsOf: bad.path) })
        #expect(error.description.contains("line 3, column 4"))
        try "run,params,tokens,loss\nr1,1e8,1e9,3.1\nr1,1e8\n".write(to: bad, atomically: true, encoding: .utf8)
        #expect(throws: ScalingLawsError.malformedFile(file: bad.path, line: 3, message: "expected 4 fields as in the header, found 2")) {
            try CurveTable.curves(contentsOf: bad.path)
        }
        #expect(throws: ScalingLawsError.self) { try CurveTable.curves(contentsOf: "/nonexistent/x.csv") }
    }

    /// A million-row log streams through: only each run's numbers are kept (the timing is printed, not
    /// asserted).
    /// Slow (about 25 s): runs only with SCALING_SLOW_TESTS set; ``LargeLogTests`` keeps a log of a few
    /// read chunks in every run.
    @Test("A million-row log is read as a stream", .enabled(if: slowTestsEnabled, "set SCALING_SLOW_TESTS=1 to run"))
    func millionRowStream() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("million-\(UUID()).csv")
        defer { try? FileManager.default.removeItem(at: url) }
        var text = "run,params,tokens,loss\n"
        text.reserveCapacity(32_000_000)
        for r in 0..<1000 {
            for p in 1...1000 { text += "r\(r),\(1e7 * Double(r + 1)),\(p * 1_000_000),\(2 + 1 / Double(p))\n" }
        }
        try text.write(to: url, atomically: false, encoding: .utf8)
        let start = Date()
        let curves = try CurveTable.curves(contentsOf: url.path)
        print("1M-row log streamed into curves: \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        #expect(curves.count == 1000)
        #expect(curves.allSatisfy { $0.tokens.count == 1000 && $0.losses.last == 2.001 })
    }
}
