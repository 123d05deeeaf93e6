/// The c-optimality criterion cᵀM⁻¹c for subsets of candidate runs, with M = Σᵢ gᵢgᵢᵀ.
///
/// Columns are scaled to unit norm over all candidates first (cᵀM⁻¹c does not change under such a
/// rescaling of the parameters), so that the ridge used while a design is still too small to determine
/// every parameter is the same relative amount for every law. Solves go through a p × p Cholesky
/// factorisation where it is well conditioned and LAPACK (`dgelsd`) otherwise.
struct DesignCriterion: Sendable {
    /// Scaled Jacobian rows of the candidates.
    let rows: [[Double]]
    /// Scaled target gradient.
    let target: [Double]
    let p: Int
    /// Relative ridge added while searching (the search's designs pass through singular ones).
    static let ridge = 1e-9

    init(rows raw: [[Double]], target c: [Double]) {
        p = c.count
        var scale = [Double](repeating: 0, count: c.count)
        for row in raw { for j in 0..<c.count { scale[j] += row[j] * row[j] } }
        scale = scale.map { $0 > 0 ? $0.squareRoot() : 1 }
        rows = raw.map { row in (0..<c.count).map { row[$0] / scale[$0] } }
        target = (0..<c.count).map { c[$0] / scale[$0] }
    }

    /// M = Σ over `indices` of gᵢgᵢᵀ, column-major p × p.
    func information(_ indices: [Int]) -> [Double] {
        var m = [Double](repeating: 0, count: p * p)
        for i in indices { add(&m, i, sign: 1) }
        return m
    }

    /// M ± gᵢgᵢᵀ in place.
    func add(_ m: inout [Double], _ i: Int, sign: Double) {
        let g = rows[i]
        for b in 0..<p {
            let gb = sign * g[b]
            for a in 0..<p { m[a + b * p] += g[a] * gb }
        }
    }

    /// cᵀ(M + λI)⁻¹c with the search's small ridge λ (finite for any design).
    ///
    /// The search evaluates this once per candidate and step: by Cholesky (``SmallSymmetricSystem``, some
    /// hundred operations) where M + λI is well conditioned (κ₁ ≤ 1e10), by LAPACK's SVD otherwise. With
    /// 20,000 candidates the SVD alone took minutes.
    func regularizedVariance(_ m: [Double]) -> Double {
        var r = m
        for a in 0..<p { r[a + a * p] += Self.ridge }
        if let x = SmallSymmetricSystem.solve(r, target) {
            var v = 0.0
            for a in 0..<p { v += target[a] * x[a] }
            if v.isFinite && v >= 0 { return v }
        }
        guard let s = solve(r, rcond: 1e-15) else { return .infinity }
        return s.value
    }

    /// (M + λI)⁻¹ and cᵀ(M + λI)⁻¹c for a design M, to score adding one candidate to it in O(p²)
    /// (``variance(adding:to:)``) rather than by a solve per candidate.
    struct Neighbourhood {
        /// (M + λI)⁻¹, column-major.
        let inverse: [Double]
        /// w = (M + λI)⁻¹c.
        let w: [Double]
        /// cᵀ(M + λI)⁻¹c.
        let variance: Double
    }

    /// The ``Neighbourhood`` of design M, or nil when M + λI is not well conditioned (κ₁ > 1e10): the
    /// search then scores candidates by ``regularizedVariance(_:)``.
    func neighbourhood(_ m: [Double]) -> Neighbourhood? {
        var r = m
        for a in 0..<p { r[a + a * p] += Self.ridge }
        guard let inverse = SmallSymmetricSystem.inverse(r, p: p) else { return nil }
        var w = [Double](repeating: 0, count: p)
        for b in 0..<p { for a in 0..<p { w[a] += inverse[a + b * p] * target[b] } }
        var v = 0.0
        for a in 0..<p { v += target[a] * w[a] }
        guard v.isFinite, v >= 0 else { return nil }
        return Neighbourhood(inverse: inverse, w: w, variance: v)
    }

    /// cᵀ(M + λI + gᵢgᵢᵀ)⁻¹c = v − (wᵀgᵢ)² / (1 + gᵢᵀ(M + λI)⁻¹gᵢ) (Sherman–Morrison), in O(p²).
    func variance(adding i: Int, to n: Neighbourhood) -> Double {
        let g = rows[i]
        var cg = 0.0, gag = 0.0
        for b in 0..<p {
            cg += n.w[b] * g[b]
            var column = 0.0
            for a in 0..<p { column += n.inverse[a + b * p] * g[a] }
            gag += column * g[b]
        }
        return max(n.variance - cg * cg / (1 + gag), 0)
    }

    /// cᵀ(M + λI + gᵢgᵢᵀ)⁻¹c: by ``variance(adding:to:)`` from the design's neighbourhood when it has one,
    /// else by a solve of M + gᵢgᵢᵀ (`m` is restored).
    func variance(adding i: Int, to n: Neighbourhood?, of m: inout [Double]) -> Double {
        if let n { return variance(adding: i, to: n) }
        add(&m, i, sign: 1)
        let v = regularizedVariance(m)
        add(&m, i, sign: -1)
        return v
    }

    /// cᵀM⁻¹c and the rank of M for the runs `indices`; infinite when M is singular.
    func exactVariance(_ indices: [Int]) -> (variance: Double, rank: Int) {
        let m = information(indices)
        guard let s = solve(m, rcond: 1e-10) else { return (.infinity, 0) }
        return s.rank < p ? (.infinity, s.rank) : (s.value, s.rank)
    }

    private func solve(_ m: [Double], rcond: Double) -> (value: Double, rank: Int)? {
        var matrix = Matrix(rows: p, columns: p)
        matrix.storage = m
        guard let solution = try? LeastSquares.solveSVD(matrix, target, rcond: rcond) else { return nil }
        var v = 0.0
        for a in 0..<p { v += target[a] * solution.x[a] }
        return v.isFinite && v >= 0 ? (v, solution.rank) : nil
    }
}
