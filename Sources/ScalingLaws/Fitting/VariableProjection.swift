import Foundation

/// Variable projection: the linear parameters solved in closed form for given nonlinear ones.
///
/// A law f(x; θ) = φ₀(x; θ_N) + Σₖ θ_{L,k}·φₖ(x; θ_N) is linear in θ_L for fixed nonlinear parameters θ_N.
/// For each θ_N the best θ_L is a linear least-squares solution,
///
///     θ_L(θ_N) = argmin ‖ W (y − φ₀ − Φ(θ_N) θ_L) ‖₂,   W = diag(wᵢ^½ / yᵢ) in log space, diag(wᵢ^½) in linear,
///
/// so the fit reduces to the nonlinear parameters alone (Golub & Pereyra 1973, "The differentiation of
/// pseudo-inverses and nonlinear least squares problems whose variables separate", SIAM J. Numer. Anal.
/// 10(2):413–432; O'Leary & Rust 2013, "Variable projection for nonlinear least squares problems",
/// Comput. Optim. Appl. 54:579–593). The rows' 1/yᵢ makes the linear problem approximate relative errors,
/// i.e. the log-space objective to first order; wᵢ are the runs' weights.
///
/// The start search uses this to score each point of the law's grid over θ_N. How a solve is done:
/// - Φ's columns are scaled to unit norm (W Φ D⁻¹) and the solve is by the normal equations
///   (D⁻¹ΦᵀW²ΦD⁻¹) z = D⁻¹ΦᵀW²(y − φ₀) with Cholesky (``SmallSymmetricSystem``) when their condition number
///   is at most 1e10; otherwise, or with ``LinearSolves/lapack``, by LAPACK's SVD (`dgelsd`, rcond 1e-12)
///   on W Φ D⁻¹ itself, which also gives the minimum-norm solution of a rank-deficient Φ.
/// - Bounds by an active set: a value outside its bounds (a positive parameter ≤ 0) leaves the set, is
///   set just inside the bound, and the rest are solved again.
/// - Parameters tied together share one column, the sum of their basis functions; linear parameters with
///   a given value (fixed, or `--init`) are moved to the target.
struct LinearProjection {
    let model: ResidualModel
    /// The law's linear parameters in order: basis column k belongs to parameter `allLinear[k]`.
    let allLinear: [Int]
    let rowWeight: [Double]
    let solves: LinearSolves

    init(model: ResidualModel, solves: LinearSolves) {
        self.model = model
        self.solves = solves
        allLinear = model.law.parameters.enumerated().filter { $0.element.isLinear }.map(\.offset)
        var w = model.space == .log ? model.y.map { 1 / $0 } : [Double](repeating: 1, count: model.y.count)
        if let weights = model.weights { for i in w.indices { w[i] *= weights[i].squareRoot() } }
        rowWeight = w
    }

    /// Fills the free linear parameters of `theta` (marked NaN) by least squares with the nonlinear ones
    /// held, computing the basis for this θ alone. Entries that are not NaN are kept as given. Returns the
    /// parameters and the law's predictions at them.
    func project(_ theta: [Double]) -> (theta: [Double], f: [Double]) {
        guard layoutNeedsSolve(theta) else { return (theta, model.law.evaluate(theta, model.inputs)) }
        let n = model.y.count
        var basis = Matrix(rows: n, columns: allLinear.count)
        model.law.basis(theta, model.inputs, into: &basis)
        let offset = model.law.basisStructure?.hasOffset == false ? nil : offsetValues(theta)
        return basis.storage.withUnsafeBufferPointer { b in
            project(theta, basis: b, columnStarts: allLinear.indices.map { $0 * n }, offset: offset)
        }
    }

    /// Whether θ's projection solves every linear parameter, each untied, against y itself (no offset,
    /// no given linear value): then its first solve can use ``SharedNormalEquations``.
    func solvesAllAgainstResponse(_ theta: [Double], hasOffset: Bool) -> Bool {
        !hasOffset && model.layout.linear == allLinear
            && allLinear.allSatisfy { theta[$0].isNaN && model.layout.members($0).count == 1 }
    }

    /// Whether θ marks a linear parameter to solve.
    func layoutNeedsSolve(_ theta: [Double]) -> Bool {
        model.layout.linear.contains { theta[$0].isNaN }
    }

    /// f with every linear parameter at 0: the part of the law that no linear parameter multiplies.
    func offsetValues(_ theta: [Double]) -> [Double] {
        var zeroed = theta
        for j in allLinear { zeroed[j] = 0 }
        return model.law.evaluate(zeroed, model.inputs)
    }

    /// The projection with the basis given: column k of Φ is `basis[columnStarts[k] ..< columnStarts[k] + n]`;
    /// `offset` is φ₀ (nil: zero).
    ///
    /// `first`, when given, is the first solve's normal equations already formed from shared columns
    /// (``SharedNormalEquations``); it must be what ``solve(_:_:)`` would form for this θ, bit for bit.
    func project(_ theta: [Double], basis: UnsafeBufferPointer<Double>, columnStarts: [Int],
                 offset: [Double]?, first: NormalEquations? = nil) -> (theta: [Double], f: [Double]) {
        let layout = model.layout
        let n = model.y.count
        var t = theta
        let solveFor = layout.linear.filter { theta[$0].isNaN }
        let b = basis.baseAddress!
        // Target: y minus the offset and the contribution of linear parameters not being solved.
        var target = model.y
        if let offset { for i in 0..<n { target[i] -= offset[i] } }
        for (k, j) in allLinear.enumerated() where !t[j].isNaN {
            let phi = b + columnStarts[k], c = t[j]
            for i in 0..<n { target[i] -= c * phi[i] }
        }
        // Each solved leader's column sums the basis functions of its tie group.
        let columns: [[Double]] = solveFor.map { leader in
            let group = layout.members(leader)
            if group.count == 1, let k = allLinear.firstIndex(of: leader) {
                return Array(UnsafeBufferPointer(start: b + columnStarts[k], count: n))
            }
            var c = [Double](repeating: 0, count: n)
            for m in group {
                let phi = b + columnStarts[allLinear.firstIndex(of: m)!]
                for i in 0..<n { c[i] += phi[i] }
            }
            return c
        }
        let targetScale = target.reduce(0) { max($0, abs($1)) }
        var active = Array(solveFor.indices)
        func assign(_ j: Int, _ value: Double) {
            for m in layout.members(j) { t[m] = value }
        }
        var usable = true
        var prepared = first
        while !active.isEmpty {
            let solution = prepared.flatMap { $0.solve() } ?? solve(active.map { columns[$0] }, target)
            prepared = nil
            guard let x = solution else { usable = false; break }
            // Active set: a value beyond a bound leaves the set and sits just inside that bound.
            var worst: (index: Int, excess: Double)? = nil
            for (c, s) in active.enumerated() {
                let j = solveFor[s]
                let value = x[c]
                assign(j, value)
                // Outside, or on a bound that the solver's transform cannot represent.
                let excess = max(layout.lower[j] - value, value - layout.upper[j])
                if excess >= 0 && (worst == nil || excess > worst!.excess) { worst = (c, excess) }
            }
            guard let w = worst else { break }
            let s = active.remove(at: w.index)
            let j = solveFor[s]
            let column = columns[s]
            let phiMax = column.reduce(0.0) { max($0, abs($1)) }
            let tiny = 1e-9 * max(targetScale, 1e-300) / max(phiMax, 1e-300)
            let value = t[j] < layout.lower[j] || t[j] == layout.lower[j] ? layout.lower[j] + tiny : layout.upper[j] - tiny
            assign(j, value)
            for i in 0..<n { target[i] -= value * column[i] }
        }
        guard usable else {
            let given = t.map { $0.isNaN ? 1 : $0 }
            return (given, model.law.evaluate(given, model.inputs))
        }
        var f = offset ?? [Double](repeating: 0, count: n)
        f.withUnsafeMutableBufferPointer { fp in
            for (k, j) in allLinear.enumerated() {
                let phi = b + columnStarts[k], c = t[j]
                for i in 0..<n { fp[i] += c * phi[i] }
            }
        }
        return (t, f)
    }

    /// min ‖W (Σ_c x_c·columns[c] − target)‖₂ over x, with the weighted columns scaled to unit norm; nil
    /// when LAPACK fails.
    private func solve(_ columns: [[Double]], _ target: [Double]) -> [Double]? {
        let n = target.count, q = columns.count
        // Weighted columns, one after another, then the weighted target.
        let weighted = [Double](unsafeUninitializedCapacity: n * (q + 1)) { buffer, count in
            let w = buffer.baseAddress!
            rowWeight.withUnsafeBufferPointer { rw in
                for c in 0..<q {
                    columns[c].withUnsafeBufferPointer { phi in
                        for i in 0..<n { w[c * n + i] = phi[i] * rw[i] }
                    }
                }
                target.withUnsafeBufferPointer { t in
                    for i in 0..<n { w[q * n + i] = t[i] * rw[i] }
                }
            }
            count = n * (q + 1)
        }
        // Column norms, summed in order (the LAPACK path's scaling depends on these exact values).
        let norms = weighted.withUnsafeBufferPointer { wp in
            (0..<q).map { c -> Double in
                var s = 0.0
                for i in 0..<n { let v = wp[c * n + i]; s += v * v }
                return s > 0 ? s.squareRoot() : 1
            }
        }
        if solves == .normalEquations {
            var gram = [Double](repeating: 0, count: q * q)
            var h = [Double](repeating: 0, count: q)
            weighted.withUnsafeBufferPointer { wp in
                let rhs = wp.baseAddress! + q * n
                for a in 0..<q {
                    let va = wp.baseAddress! + a * n
                    for b in a..<q {
                        gram[a + b * q] = dot(va, wp.baseAddress! + b * n, n) / (norms[a] * norms[b])
                        gram[b + a * q] = gram[a + b * q]
                    }
                    h[a] = dot(va, rhs, n) / norms[a]
                }
            }
            if let x = NormalEquations(gram: gram, h: h, norms: norms).solve() {
                return x
            }
        }
        var design = Matrix(rows: n, columns: q)
        for c in 0..<q {
            for i in 0..<n { design[i, c] = weighted[c * n + i] / norms[c] }
        }
        guard let solution = try? LeastSquares.solveSVD(design, Array(weighted[(q * n)...])) else { return nil }
        return (0..<q).map { solution.x[$0] / norms[$0] }
    }
}

/// The normal equations of one projection in unit-norm columns: M = D⁻¹ΦᵀW²ΦD⁻¹ (`gram`, q × q,
/// column-major), D⁻¹ΦᵀW²t (`h`), and the column norms D.
struct NormalEquations {
    var gram: [Double]
    var h: [Double]
    var norms: [Double]

    /// x = D⁻¹ z with M z = h by Cholesky, or nil where ``SmallSymmetricSystem`` refuses M (the caller then
    /// solves by SVD).
    func solve() -> [Double]? {
        SmallSymmetricSystem.solve(gram, h).map { z in (0..<norms.count).map { z[$0] / norms[$0] } }
    }
}

/// What the start search's projections share: with the basis columns computed once per distinct column
/// (``ScalingLaw/basisStructure``), each weighted column, its norm, its product with the weighted response
/// and the products of the column pairs that occur together are computed once too, instead of once per
/// grid point (Chinchilla: 321 inner products instead of 2,304). They are computed by the same
/// operations, in the same order, as ``LinearProjection``'s own solve, so the first solve of every
/// candidate gets the same bits; only a candidate whose linear parameters are all solved, untied, with
/// no offset, qualifies (its target is then y itself).
struct SharedNormalEquations {
    let slotCount: Int
    let norms: [Double]
    let responseProducts: [Double]
    /// Products of slot pairs (a ≤ b), keyed a·slots + b.
    let pairProducts: [Int: Double]

    /// - Parameters:
    ///   - store: the distinct basis columns, `slotCount` columns of n values one after another.
    ///   - slots: per candidate, the slot of each basis column, or nil when the candidate does not qualify.
    init(projection: LinearProjection, store: UnsafeBufferPointer<Double>, slotCount: Int, slots: [[Int]?]) {
        let n = projection.model.y.count
        let rw = projection.rowWeight
        var weighted = [Double](repeating: 0, count: slotCount * n)
        var norms = [Double](repeating: 1, count: slotCount)
        for s in 0..<slotCount {
            var sum = 0.0
            for i in 0..<n {
                let v = store[s * n + i] * rw[i]
                weighted[s * n + i] = v
                sum += v * v
            }
            norms[s] = sum > 0 ? sum.squareRoot() : 1
        }
        let response = (0..<n).map { projection.model.y[$0] * rw[$0] }
        var pairs = Set<Int>()
        for row in slots {
            guard let row else { continue }
            for a in row.indices { for b in a..<row.count { pairs.insert(row[a] * slotCount + row[b]) } }
        }
        let keys = Array(pairs)
        var responseProducts = [Double](repeating: 0, count: slotCount)
        var pairProducts = [Int: Double](minimumCapacity: keys.count)
        weighted.withUnsafeBufferPointer { w in
            response.withUnsafeBufferPointer { t in
                for s in 0..<slotCount { responseProducts[s] = dot(w.baseAddress! + s * n, t.baseAddress!, n) }
            }
            for key in keys {
                let a = key / slotCount, b = key % slotCount
                pairProducts[key] = dot(w.baseAddress! + a * n, w.baseAddress! + b * n, n)
            }
        }
        self.norms = norms
        self.responseProducts = responseProducts
        self.pairProducts = pairProducts
        self.slotCount = slotCount
    }

    /// The first solve's system for a candidate whose basis column k sits in `row[k]`.
    func system(_ row: [Int]) -> NormalEquations {
        let q = row.count
        var gram = [Double](repeating: 0, count: q * q)
        var h = [Double](repeating: 0, count: q)
        let norms = row.map { self.norms[$0] }
        for a in 0..<q {
            for b in a..<q {
                let v = pairProducts[row[a] * slotCount + row[b]]!
                gram[a + b * q] = v / (norms[a] * norms[b])
                gram[b + a * q] = gram[a + b * q]
            }
            h[a] = responseProducts[row[a]] / norms[a]
        }
        return NormalEquations(gram: gram, h: h, norms: norms)
    }
}
