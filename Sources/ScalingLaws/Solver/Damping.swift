/// Levenberg–Marquardt's damping and stopping rules, shared by the whole-matrix and the blocked loops of
/// ``LevenbergMarquardt``: Nielsen's update of λ (Nielsen 1999, "Damping parameter in Marquardt's method",
/// IMM-REP-1999-05), the extended step along p when the gain ratio shows the reweighted model overstates
/// the curvature, and the function and parameter tolerances of an accepted step.
struct Damping {
    /// The damping λ of (JᵀWJ + λD²) p = −g.
    private(set) var lambda: Double
    private var nu = 2.0

    init(_ options: SolverOptions) { lambda = options.initialDamping }

    /// The step (JᵀWJ + λD²) p = −g by Cholesky in the scaled variables z = D p, whose matrix
    /// D⁻¹JᵀWJD⁻¹ + λI is better conditioned; nil where it is still too ill-conditioned (the caller then
    /// solves the stacked rectangular problem by QR). `damped` and `scaledGradient` are scratch (p × p, p).
    @inline(__always)
    func normalEquationsStep(_ gaussNewton: [Double], _ gradient: [Double], _ scale: [Double],
                             _ damped: inout [Double], _ scaledGradient: inout [Double]) -> [Double]? {
        let p = gradient.count
        for a in 0..<p {
            for b in 0..<p { damped[a + b * p] = gaussNewton[a + b * p] / (scale[a] * scale[b]) }
            damped[a + a * p] += lambda
            scaledGradient[a] = -gradient[a] / scale[a]
        }
        guard let z = SmallSymmetricSystem.solve(damped, scaledGradient) else { return nil }
        return (0..<p).map { z[$0] / scale[$0] }
    }

    /// Along p the cost is ≈ c(0) + gᵀp·t + ½κt²; the ratio of actual to predicted decrease at t = 1 gives
    /// the true curvature κ relative to the model's: κ/κ_model = 2 − ratio. A ratio well above 1 means the
    /// reweighted model overstates the curvature (typical of Huber far outside δ): the minimiser of that
    /// 1-D quadratic, t* = 1/(2 − ratio), is worth trying. Nil when the ratio does not call for it.
    @inline(__always)
    static func extendedStep(ratio: Double) -> Double? {
        ratio > 1.2 ? (ratio < 1.9 ? 1 / (2 - ratio) : 10) : nil
    }

    /// After accepting `step`, now at `u`, with gain ratio `ratio` and cost lowered by `decrease` from
    /// `previousCost`: lowers λ, and returns the termination when the step met the function or the
    /// parameter tolerance.
    @inline(__always)
    mutating func accept(ratio: Double, step: [Double], at u: [Double], decrease: Double, previousCost: Double,
                         options: SolverOptions) -> Termination? {
        let t = 2 * ratio - 1
        lambda *= max(1.0 / 3.0, 1 - t * t * t)
        nu = 2
        var stepNorm = 0.0, uNorm = 0.0
        for j in 0..<step.count { stepNorm += step[j] * step[j]; uNorm += u[j] * u[j] }
        if decrease <= options.functionTolerance * previousCost { return .functionTolerance }
        let xtol = options.parameterTolerance
        if stepNorm.squareRoot() <= xtol * (uNorm.squareRoot() + xtol) { return .parameterTolerance }
        return nil
    }

    /// After a rejected step: raises λ; returns ``Termination/noFurtherDecrease`` once λ is past 1e20.
    @inline(__always)
    mutating func reject() -> Termination? {
        lambda *= nu
        nu *= 2
        return lambda > 1e20 || !lambda.isFinite ? .noFurtherDecrease : nil
    }
}
