import Foundation
import Testing
@testable import ScalingLaws

/// ``RunStore`` keeps runs by column (a checkpoint fit of a long log holds no `Run` per point); it must
/// give back every run as stored, and a fit of a store must be the fit of the same runs as an array.
@Suite("Run store: runs by column, read back bit for bit")
struct RunStoreTests {
    /// Exactly the same bits in every field (`==` treats 0 and −0 alike and NaN as unequal to itself).
    private func identical(_ a: Run, _ b: Run) -> Bool {
        func same(_ x: Double?, _ y: Double?) -> Bool { x?.bitPattern == y?.bitPattern }
        return same(a.params, b.params) && same(a.tokens, b.tokens) && same(a.flops, b.flops) && same(a.loss, b.loss)
            && same(a.weight, b.weight) && a.values.keys.sorted() == b.values.keys.sorted()
            && a.values.allSatisfy { same($0.value, b.values[$0.key]) }
            && a.group.map { Array($0.utf8) } == b.group.map { Array($0.utf8) }
    }

    private func expectRoundTrip(_ runs: [Run], k: Double = 6, columnar: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
        let store = RunStore(runs, flopsPerParamToken: k)
        #expect(store.count == runs.count, sourceLocation: sourceLocation)
        let back = store.runs
        #expect(back.count == runs.count && zip(back, runs).allSatisfy(identical), sourceLocation: sourceLocation)
        #expect(zip(store.indices, runs).allSatisfy { identical(store[$0], $1) }, sourceLocation: sourceLocation)
        if case .columns = store.storage { #expect(columnar, sourceLocation: sourceLocation) } else { #expect(!columnar, sourceLocation: sourceLocation) }
    }

    /// Checkpoints of `runCount` runs: N and the group constant within a run, D and the loss varying, C = k·N·D.
    private func checkpoints(runCount: Int, points: Int, k: Double = 6) -> [Run] {
        var rng = SplitMix64(seed: 3)
        var runs = [Run]()
        for r in 0..<runCount {
            let n = exp(Double.random(in: log(1e7)...log(1e10), using: &rng)).rounded()
            for s in 1...points {
                let d = (1e9 * Double(s)).rounded()
                runs.append(Run(params: n, tokens: d, flops: k * n * d, loss: 2 + 1 / Double(s) + 0.01 * rng.normal(),
                                group: "run\(r)", weight: 1 / Double(points)))
            }
        }
        return runs
    }

    @Test("Checkpoints: stored by column (C derived, N, weights and groups by stretches) and read back bit for bit")
    func checkpointsRoundTrip() {
        let runs = checkpoints(runCount: 7, points: 300)
        expectRoundTrip(runs, columnar: true)
        guard case .columns(let c) = RunStore(runs).storage else { return }
        if case .derivedFlops = c.flops {} else { Issue.record("C = k·N·D is not derived: \(c.flops)") }
        if case .segments(let values, _) = c.params { #expect(values.count == 7) } else { Issue.record("N is not by stretches") }
        if case .segments(let values, _) = c.weight { #expect(values.count == 1) } else { Issue.record("weights are not by stretches") }
        if case .dense(let values) = c.tokens { #expect(values.count == runs.count) } else { Issue.record("D is not dense") }
        #expect(c.groups.count == 7)
    }

    @Test("C stored once one run's C is not k·N·D (earlier ones derived again), and with another k")
    func flopsNotDerived() {
        var runs = checkpoints(runCount: 3, points: 50)
        runs[120].flops = runs[120].flops! * (1 + 1e-15)
        expectRoundTrip(runs, columnar: true)
        expectRoundTrip(checkpoints(runCount: 3, points: 50), k: 8, columnar: true)
    }

    @Test("Any shape: absent fields, other values, NaN payloads, −0, labels equal only canonically, mixed shapes")
    func anyShape() {
        let nan = Double(bitPattern: 0x7FF8_0000_0000_1234)
        expectRoundTrip([], columnar: false)
        expectRoundTrip([Run(params: 1e9, loss: 2.5)], columnar: true)
        expectRoundTrip((0..<40).map { Run(tokens: Double($0 + 1), flops: nan, loss: -0.0, values: ["acc": Double($0), "x": 1], group: nil) },
                        columnar: true)
        expectRoundTrip((0..<40).map { Run(params: 1, tokens: 2, loss: 3, group: $0 % 2 == 0 ? "caf\u{E9}" : "cafe\u{301}") },
                        columnar: true)
        // Mixed shapes: kept as runs, the early ones as they were.
        var mixed = checkpoints(runCount: 2, points: 30)
        mixed.append(Run(params: 1e9, tokens: 1e10))
        mixed += checkpoints(runCount: 1, points: 10)
        expectRoundTrip(mixed, columnar: false)
        var keys = checkpoints(runCount: 1, points: 30)
        keys[29].values["acc"] = 0.5
        expectRoundTrip(keys, columnar: false)
    }

    @Test("A fit of a store is the fit of its runs: parameters, residuals, objective and intervals bit for bit")
    func fitOfStoreEqualsFitOfRuns() throws {
        let runs = checkpoints(runCount: 12, points: 200)
        for limit in [Int.max, 0] {
            var o = FitOptions()
            o.solver.jacobianRowLimit = limit
            let a = try ChinchillaLaw().fit(runs, options: o)
            let b = try ChinchillaLaw().fit(RunStore(runs), options: o)
            #expect(a.parameters == b.parameters && a.residuals == b.residuals && a.objectiveValue == b.objectiveValue)
            #expect(b.trainingRuns == a.trainingRuns && b.trainingSet.count == runs.count)
            if case .columns = b.trainingSet.storage {} else { Issue.record("the fit copied the runs out of the store") }
            let ua = try a.asymptoticUncertainty(level: 0.95, rowLimit: limit)
            let ub = try b.asymptoticUncertainty(level: 0.95, rowLimit: limit)
            #expect(ua.standardErrors.map(\.bitPattern) == ub.standardErrors.map(\.bitPattern))
            #expect(try JSON.encode(a.record) == JSON.encode(b.record))
        }
    }

    @Test("A fit of a store throws the error the runs give: the first run at fault")
    func sameErrors() throws {
        func error(_ body: () throws(ScalingLawsError) -> FitResult) -> ScalingLawsError? {
            do { _ = try body(); return nil } catch { return error }
        }
        var cases = [[Run]]()
        var runs = checkpoints(runCount: 2, points: 20)
        runs[9].loss = .nan
        runs[7].tokens = -1
        cases.append(runs)
        runs = checkpoints(runCount: 2, points: 20)
        runs[11].loss = .infinity
        cases.append(runs)
        runs = checkpoints(runCount: 2, points: 20)
        runs[5].weight = -1
        cases.append(runs)
        runs = checkpoints(runCount: 2, points: 20).map { var r = $0; r.weight = 0; return r }
        cases.append(runs)
        for runs in cases {
            let expected = error { () throws(ScalingLawsError) in try ChinchillaLaw().fit(runs) }
            #expect(expected != nil)
            #expect(error { () throws(ScalingLawsError) in try ChinchillaLaw().fit(RunStore(runs)) } == expected)
        }
    }

    @Test("A checkpoint log read by RunFile is held by column, and its runs equal the table path's")
    func runFileStoresCheckpointsByColumn() throws {
        var text = "run,params,step,tokens,loss\n"
        for r in 0..<5 { for s in 1...40 { text += "r\(r),\(1_000_000 * (r + 1)),\(s),\(s * 1000),\(2 + 1 / Double(s))\n" } }
        let file = try RunFile(bytes: Array(text.utf8), source: "log.csv", bufferSize: 256)
        let read = try file.runs(variables: [Variable.params, Variable.tokens], use: .checkpoints)
        if case .columns = read.store.storage {} else { Issue.record("checkpoints kept as runs") }
        let table = try CSVTable(text: text, source: "log.csv")
        #expect(read.runs == (try LongFormat.runs(from: table, variables: [Variable.params, Variable.tokens], use: .checkpoints)))
    }
}
