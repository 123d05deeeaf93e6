/// Solves small symmetric positive definite systems M x = b (a handful of unknowns) by Cholesky
/// factorisation, and says when it must not be trusted.
///
/// This is the one hand-written factorisation in ScalingLaws, for the normal equations of the solver's
/// hot loops: a Levenberg–Marquardt step (p × p, p = free parameters) and a variable-projection solve
/// (one unknown per linear parameter), thousands of times per fit. At that size the fixed cost of a
/// LAPACK driver (argument checks, NaN scans, norms, workspace) is many times the arithmetic.
///
/// Normal equations square the condition number of the least-squares problem they come from, so
/// ``solve(_:_:maxCondition:)`` refuses (returns nil) when M is not positive definite, holds a
/// non-finite value, or has a 1-norm condition number κ₁(M) = ‖M‖₁‖M⁻¹‖₁ above `maxCondition`; callers
/// then fall back to LAPACK on the original rectangular problem (QR or SVD). κ₁ is computed exactly from
/// M⁻¹ (p³ operations, negligible at this size), not estimated. With κ₁ ≤ 1e10 the solution's relative
/// error is below ≈ κ₁·ε ≈ 2e-6 in the worst direction, and the residual of the least-squares problem is
/// within a relative ≈ √κ₁·ε of the optimum (Higham 2002, "Accuracy and Stability of Numerical
/// Algorithms", §10.1 and §20.4).
enum SmallSymmetricSystem {
    /// Default bound on κ₁(M) above which the normal equations give way to LAPACK.
    static let defaultMaxCondition = 1e10

    /// Solves M x = b for symmetric positive definite `m` (p × p, column-major; only the lower triangle is
    /// read), or nil when M is not numerically positive definite, holds a non-finite value, or its
    /// condition number exceeds `maxCondition`.
    static func solve(_ m: [Double], _ b: [Double], maxCondition: Double = defaultMaxCondition) -> [Double]? {
        let p = b.count
        precondition(m.count == p * p, "M must be p × p")
        if p == 0 { return [] }
        guard let factor = Factor(m, p: p, maxCondition: maxCondition, keepInverse: false) else { return nil }
        var x = b
        factor.substitute(&x)
        guard x.allSatisfy({ $0.isFinite }) else { return nil }
        return x
    }

    /// M⁻¹ (p × p, column-major) for symmetric positive definite `m`, under the same conditions as
    /// ``solve(_:_:maxCondition:)``.
    static func inverse(_ m: [Double], p: Int, maxCondition: Double = defaultMaxCondition) -> [Double]? {
        precondition(m.count == p * p, "M must be p × p")
        guard let factor = Factor(m, p: p, maxCondition: maxCondition, keepInverse: true) else { return nil }
        guard factor.inverse.allSatisfy({ $0.isFinite }) else { return nil }
        return factor.inverse
    }

    /// The Cholesky factor M = L Lᵀ (L lower triangular, column-major) and M⁻¹, or nil when M is not
    /// numerically positive definite, holds a non-finite value or κ₁(M) exceeds `maxCondition`. M⁻¹ is
    /// kept only with `keepInverse` (its columns are computed for κ₁ either way).
    private struct Factor {
        let p: Int
        var l: [Double]
        var inverse: [Double]

        init?(_ m: [Double], p: Int, maxCondition: Double, keepInverse: Bool) {
            self.p = p
            l = [Double](repeating: 0, count: p * p)
            inverse = keepInverse ? [Double](repeating: 0, count: p * p) : []
            var norm1 = 0.0
            for j in 0..<p {
                var colSum = 0.0
                for i in 0..<p {
                    let v = i >= j ? m[i + j * p] : m[j + i * p]
                    guard v.isFinite else { return nil }
                    colSum += abs(v)
                }
                norm1 = max(norm1, colSum)
            }
            for j in 0..<p {
                var d = m[j + j * p]
                for k in 0..<j { d -= l[j + k * p] * l[j + k * p] }
                guard d > 0, d.isFinite else { return nil }
                let ljj = d.squareRoot()
                l[j + j * p] = ljj
                for i in (j + 1)..<max(j + 1, p) {
                    var s = m[i + j * p]
                    for k in 0..<j { s -= l[i + k * p] * l[j + k * p] }
                    l[i + j * p] = s / ljj
                }
            }
            // ‖M⁻¹‖₁ from the columns of M⁻¹.
            var inverseNorm1 = 0.0
            var e = [Double](repeating: 0, count: p)
            for j in 0..<p {
                for i in 0..<p { e[i] = i == j ? 1 : 0 }
                substitute(&e)
                var colSum = 0.0
                for i in 0..<p { colSum += abs(e[i]) }
                if keepInverse { for i in 0..<p { inverse[i + j * p] = e[i] } }
                inverseNorm1 = max(inverseNorm1, colSum)
            }
            let condition = norm1 * inverseNorm1
            guard condition.isFinite, condition <= maxCondition else { return nil }
        }

        /// Solves M x = rhs in place: L z = rhs, then Lᵀ x = z.
        func substitute(_ rhs: inout [Double]) {
            for i in 0..<p {
                var s = rhs[i]
                for k in 0..<i { s -= l[i + k * p] * rhs[k] }
                rhs[i] = s / l[i + i * p]
            }
            for i in stride(from: p - 1, through: 0, by: -1) {
                var s = rhs[i]
                for k in (i + 1)..<max(i + 1, p) { s -= l[k + i * p] * rhs[k] }
                rhs[i] = s / l[i + i * p]
            }
        }
    }
}
