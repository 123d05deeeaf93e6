import Foundation

/// The start search: candidate parameter vectors from the law's grid and initial guesses, each scored on
/// the true objective after its linear parameters are solved by variable projection
/// (``LinearProjection``).
///
/// Work shared between grid points is done once: ln y (in ``ResidualModel``), and, for a law that declares
/// its ``ScalingLaw/basisStructure``, each distinct basis column — Chinchilla's 16 × 16 grid over (α, β)
/// needs 1 + 16 + 16 columns of 240 values, not 3 × 256 — and the law's offset φ₀ is skipped when it
/// declares none.
extension ScalingLaw {
    func startCandidates(problem: ResidualModel, inputs: Inputs, y: [Double],
                         initial: [String: Double]) -> [[Double]] {
        let layout = problem.layout
        var seen = Set<[Double]>()
        var out = [[Double]]()
        // Looked up once: `parameters` builds its array on every call.
        let names = parameterNames
        let given = initial.compactMap { name, v in names.firstIndex(of: name).map { ($0, v) } }
        let solved = layout.linear.filter { initial[names[$0]] == nil }.flatMap { layout.members($0) }
        func add(_ raw: [Double], solveLinear: Bool) {
            var theta = raw
            for (j, v) in given { theta[j] = v }
            theta = layout.applyFixed(theta)
            for j in 0..<theta.count where layout.fixedValues[j] == nil && !theta[j].isNaN {
                theta[j] = layout.clampInside(theta[j], layout.leaderOf[j])
            }
            if solveLinear {
                for m in solved { theta[m] = .nan }  // marks "solve by least squares"
            }
            if seen.insert(theta.map { $0.isNaN ? -0.0 : $0 }).inserted { out.append(theta) }
        }
        for guess in initialGuesses(inputs, response: y) where guess.count == parameters.count { add(guess, solveLinear: false) }
        for grid in startGrid(inputs, response: y) where grid.count == parameters.count { add(grid, solveLinear: true) }
        return out
    }

    func distinctBest(_ sorted: [(u: [Double], cost: Double)], count: Int) -> [[Double]] {
        var picked = [[Double]]()
        for c in sorted {
            if picked.count >= count { break }
            let duplicate = picked.contains { p in
                zip(p, c.u).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($0)) }
            }
            if !duplicate { picked.append(c.u) }
        }
        return picked
    }
}

extension ResidualModel {
    /// Most basis values the start search keeps for sharing columns between grid points (32 MB); beyond
    /// that each candidate computes its own basis.
    static let sharedBasisLimit = 1 << 22

    /// Candidates × runs below which the start search runs on one thread (and 32 × starts × runs below
    /// which the screening polishes do, each polish evaluating the model some 30 times).
    static let parallelWork = 4_096

    /// Scores every candidate: its linear parameters solved (entries marked NaN), then the objective Σρ.
    /// Returns, per candidate, the free solver variables and the cost, or nil where the model is
    /// undefined or the cost not finite. Results are in candidate order and do not depend on scheduling.
    func scoreStarts(_ candidates: [[Double]], loss: RobustLoss, solves: LinearSolves) -> [(u: [Double], cost: Double)?] {
        let projection = LinearProjection(model: self, solves: solves)
        let n = y.count
        let linearCount = projection.allLinear.count
        let structure = law.basisStructure.flatMap { $0.columnParameters.count == linearCount ? $0 : nil }

        let model = self
        // Small problems (an L*(C) envelope on a handful of budgets) are scored on this thread: waking the
        // other cores costs more than the work. The results are the same either way.
        let chunks: Int? = candidates.count * n < Self.parallelWork ? 1 : nil
        @Sendable func score(_ theta: [Double], _ f: [Double]) -> (u: [Double], cost: Double)? {
            guard let cost = f.withUnsafeBufferPointer({ model.cost(prediction: $0, loss: loss) }), cost.isFinite else { return nil }
            return (model.layout.freeVector(theta), cost)
        }

        // Distinct basis columns: slot[c][k] is the index in `store` of candidate c's column k.
        if let structure, linearCount > 0 {
            var slotOf = [[Double]: Int]()
            var sources = [(k: Int, theta: [Double])]()
            var slots = [[Int]]()
            slots.reserveCapacity(candidates.count)
            for theta in candidates {
                var row = [Int]()
                row.reserveCapacity(linearCount)
                for k in 0..<linearCount {
                    let key = [Double(k)] + structure.columnParameters[k].map { theta[$0] }
                    if let s = slotOf[key] {
                        row.append(s)
                    } else {
                        slotOf[key] = sources.count
                        row.append(sources.count)
                        sources.append((k, theta))
                    }
                }
                slots.append(row)
            }
            if sources.count * n <= Self.sharedBasisLimit {
                let (sources, slots) = (sources, slots)
                let columns = parallelMap(sources.count, chunks: chunks) { s -> [Double] in
                    var c = [Double](repeating: 0, count: n)
                    law.basisColumn(sources[s].k, sources[s].theta, inputs, into: &c)
                    return c
                }
                let store = columns.flatMap { $0 }
                // The first solve's normal equations from products shared between candidates.
                let shared: SharedNormalEquations? = solves == .normalEquations ? store.withUnsafeBufferPointer { b in
                    let rows = candidates.indices.map { c in
                        projection.solvesAllAgainstResponse(candidates[c], hasOffset: structure.hasOffset) ? slots[c] : nil
                    }
                    return rows.contains { $0 != nil }
                        ? SharedNormalEquations(projection: projection, store: b, slotCount: sources.count, slots: rows) : nil
                } : nil
                return parallelMap(candidates.count, chunks: chunks) { c in
                    let theta = candidates[c]
                    guard projection.layoutNeedsSolve(theta) else { return score(theta, law.evaluate(theta, inputs)) }
                    let offset = structure.hasOffset ? projection.offsetValues(theta) : nil
                    let first = shared.flatMap {
                        projection.solvesAllAgainstResponse(theta, hasOffset: structure.hasOffset) ? $0.system(slots[c]) : nil
                    }
                    let (t, f) = store.withUnsafeBufferPointer { b in
                        projection.project(theta, basis: b, columnStarts: slots[c].map { $0 * n }, offset: offset, first: first)
                    }
                    return score(t, f)
                }
            }
        }
        return parallelMap(candidates.count, chunks: chunks) { c in
            let (t, f) = projection.project(candidates[c])
            return score(t, f)
        }
    }
}
