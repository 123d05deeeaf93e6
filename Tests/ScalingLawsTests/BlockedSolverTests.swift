import Foundation
import Testing
@testable import ScalingLaws

/// Large fits work in blocks of rows (``SolverOptions/jacobianRowLimit``): the solver forms JᵀWJ, the
/// gradient and the triangular factor of W^½J block by block, and the asymptotic covariance takes its SVD
/// from that factor, so no n × p matrix is held. Both must reach what the whole-matrix paths reach, on
/// data spanning several blocks.
@Suite("Blocked solver and covariance give the whole-matrix results")
struct BlockedSolverTests {
    /// 20,000 noisy runs of the Chinchilla law (three blocks of ``LevenbergMarquardt/blockRows``), with
    /// checkpoint-like weights when `weighted`.
    private func runs(weighted: Bool) -> [Run] {
        var rng = SplitMix64(seed: 11)
        let law = ChinchillaLaw()
        let theta = [1.69, 406.4, 410.7, 0.34, 0.28]
        return (0..<20_000).map { i in
            let n = exp(Double.random(in: log(1e7)...log(1e10), using: &rng))
            let d = exp(Double.random(in: log(1e9)...log(1e12), using: &rng))
            let f = law.evaluate(theta, Inputs(columns: [[n], [d]]))[0]
            return Run(params: n, tokens: d, loss: f * exp(0.01 * rng.normal()), group: "run\(i / 100)",
                       weight: weighted ? 1 / Double(1 + i % 7) : nil)
        }
    }

    private func fit(_ runs: [Run], limit: Int, solves: LinearSolves = .normalEquations) throws -> FitResult {
        var o = FitOptions()
        o.solver.jacobianRowLimit = limit
        o.solver.linearSolves = solves
        return try ChinchillaLaw().fit(runs, options: o)
    }

    @Test("Blocked Levenberg–Marquardt reaches the whole-matrix optimum (normal equations and QR steps, weighted or not)")
    func optimum() throws {
        #expect(20_000 > 2 * LevenbergMarquardt.blockRows)
        for weighted in [false, true] {
            let data = runs(weighted: weighted)
            for solves in LinearSolves.allCases {
                let whole = try fit(data, limit: .max, solves: solves)
                let blocked = try fit(data, limit: 0, solves: solves)
                let label = "weighted \(weighted), \(solves)"
                #expect(whole.jacobian?.rows == data.count, "\(label)")
                #expect(blocked.jacobian == nil, "\(label): no n × p Jacobian kept")
                #expect(blocked.summary.termination.isConverged, "\(label)")
                #expect(relativeError(try #require(blocked.objectiveValue), try #require(whole.objectiveValue)) < 1e-10, "\(label)")
                for j in whole.parameters.indices {
                    #expect(relativeError(blocked.parameters[j], whole.parameters[j]) < 1e-6, "\(label) \(whole.law.parameterNames[j])")
                }
            }
        }
    }

    @Test("Asymptotic covariance from the blocked triangular factor equals the one from the whole Jacobian's SVD")
    func covariance() throws {
        for weighted in [false, true] {
            let fitted = try fit(runs(weighted: weighted), limit: .max)
            let whole = try fitted.asymptoticUncertainty()
            let blocked = try fitted.dropJacobian().asymptoticUncertainty(level: 0.95, rowLimit: 0)
            for j in whole.standardErrors.indices {
                #expect(relativeError(blocked.standardErrors[j], whole.standardErrors[j]) < 1e-8, "weighted \(weighted) \(fitted.law.parameterNames[j])")
                #expect(relativeError(blocked.intervals[j].low, whole.intervals[j].low) < 1e-8)
                #expect(relativeError(blocked.intervals[j].high, whole.intervals[j].high) < 1e-8)
            }
            #expect(blocked.warnings == whole.warnings)
        }
    }

    @Test("Block QR: R of a matrix given in blocks has RᵀR = AᵀA and solves its least-squares problem")
    func blockQR() throws {
        var rng = SplitMix64(seed: 5)
        let rows = 1_000, columns = 4
        var a = Matrix(rows: rows, columns: columns)
        for k in a.storage.indices { a.storage[k] = rng.normal() }
        let b = (0..<rows).map { _ in rng.normal() }
        var qr = BlockQR(columns: columns + 1)
        for lo in stride(from: 0, to: rows, by: 300) {
            let m = min(rows, lo + 300) - lo
            var block = [Double](repeating: 0, count: m * (columns + 1))
            for i in 0..<m {
                for j in 0..<columns { block[i + j * m] = a[lo + i, j] }
                block[i + columns * m] = b[lo + i]
            }
            try block.withUnsafeBufferPointer { p throws(LinearAlgebraError) in try qr.add(p.baseAddress!, rows: m) }
        }
        let r = qr.matrix
        for i in 0..<columns {
            for j in 0..<columns {
                var ata = 0.0, rtr = 0.0
                for k in 0..<rows { ata += a[k, i] * a[k, j] }
                for k in 0..<(columns + 1) { rtr += r[k, i] * r[k, j] }
                #expect(abs(ata - rtr) <= 1e-10 * Double(rows))
            }
        }
        var r11 = Matrix(rows: columns, columns: columns)
        for i in 0..<columns { for j in i..<columns { r11[i, j] = r[i, j] } }
        let x = try LeastSquares.solveQR(r11, (0..<columns).map { r[$0, columns] })
        let reference = try LeastSquares.solveQR(a, b)
        for j in 0..<columns { #expect(abs(x[j] - reference[j]) < 1e-12) }
    }
}

@Suite("Run storage")
struct RunStorageTests {
    @Test("A run takes 72 bytes and keeps nil apart from 0 through ==, hashing and JSON")
    func compact() throws {
        #expect(MemoryLayout<Run>.stride == 72)
        var run = Run(params: 1e9, tokens: 0, loss: 2.5, values: ["acc": 0.5], group: "g", weight: nil)
        #expect(run.params == 1e9 && run.tokens == 0 && run.flops == nil && run.loss == 2.5 && run.weight == nil)
        #expect(run != Run(params: 1e9, loss: 2.5, values: ["acc": 0.5], group: "g"))
        run.tokens = nil
        #expect(run == Run(params: 1e9, loss: 2.5, values: ["acc": 0.5], group: "g"))
        #expect(Set([run, Run(params: 1e9, loss: 2.5, values: ["acc": 0.5], group: "g")]).count == 1)
        run.weight = 0.25
        run.flops = 6e18
        let json = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
        #expect(!json.contains("tokens"))
        let back = try JSONDecoder().decode(Run.self, from: Data(json.utf8))
        #expect(back == run)
        #expect(back.tokens == nil && back.weight == 0.25 && back.flops == 6e18)
    }
}

private extension FitResult {
    /// This fit without the solver's Jacobian (as a blocked fit leaves it).
    func dropJacobian() -> FitResult {
        FitResult(law: law, parameters: parameters, fixed: fixed, objective: objective, objectiveValue: objectiveValue,
                  residuals: residuals, runs: runs, summary: summary, search: search, flopsPerParamToken: flopsPerParamToken,
                  trainingRuns: trainingRuns, constraints: constraints, jacobian: nil)
    }
}
