import Foundation

/// A robust loss ρ applied to each residual r; the solver minimises Σᵢ ρ(rᵢ).
///
/// Conventions follow scipy's `least_squares` and `scipy.special.huber` (so that objective values
/// are comparable with the published Chinchilla replication, Besiroglu et al. 2024):
///
/// | loss | ρ(r) |
/// |---|---|
/// | ``squared`` | r² / 2 |
/// | ``huber(delta:)`` | r²/2 if \|r\| ≤ δ, else δ(\|r\| − δ/2) |
/// | ``softL1(delta:)`` | δ²(√(1 + (r/δ)²) − 1) |
/// | ``cauchy(delta:)`` | δ²/2 · ln(1 + (r/δ)²) |
/// | ``asymmetric(tau:)`` | τ·r²/2 if r ≥ 0, (1 − τ)·r²/2 if r < 0 (an expectile; Newey & Powell 1987) |
///
/// The symmetric losses are even, increasing in |r| and concave in r², so the iteratively reweighted
/// quadratic with weight w = ρ′(r)/r majorises them (Huber 1981; Holland & Welsch 1977); the asymmetric
/// loss is piecewise quadratic with w constant on each side. Either way the Levenberg–Marquardt step
/// built on these weights has the exact gradient of Σρ.
public enum RobustLoss: Sendable, Hashable, Codable {
    /// Ordinary least squares, ρ(r) = r²/2.
    case squared
    /// Huber's loss with threshold δ (quadratic inside, linear outside).
    case huber(delta: Double)
    /// Smooth approximation of the absolute value with scale δ.
    case softL1(delta: Double)
    /// Cauchy (Lorentzian) loss with scale δ; strongly down-weights outliers.
    case cauchy(delta: Double)
    /// Asymmetric squared loss (expectile τ): with r = y − ŷ and τ < ½, points below the curve cost more
    /// than points above, so the fit follows the lower envelope of the data.
    case asymmetric(tau: Double)

    /// ρ(r).
    @inlinable
    public func rho(_ r: Double) -> Double {
        switch self {
        case .squared:
            return 0.5 * r * r
        case .huber(let d):
            let a = abs(r)
            return a <= d ? 0.5 * r * r : d * (a - 0.5 * d)
        case .softL1(let d):
            let z = r / d
            return d * d * ((1 + z * z).squareRoot() - 1)
        case .cauchy(let d):
            let z = r / d
            return 0.5 * d * d * log1p(z * z)
        case .asymmetric(let tau):
            return 0.5 * (r >= 0 ? tau : 1 - tau) * r * r
        }
    }

    /// ψ(r) = ρ′(r).
    @inlinable
    public func psi(_ r: Double) -> Double {
        switch self {
        case .squared:
            return r
        case .huber(let d):
            return abs(r) <= d ? r : (r > 0 ? d : -d)
        case .softL1(let d):
            let z = r / d
            return r / (1 + z * z).squareRoot()
        case .cauchy(let d):
            let z = r / d
            return r / (1 + z * z)
        case .asymmetric(let tau):
            return (r >= 0 ? tau : 1 - tau) * r
        }
    }

    /// ψ′(r) = ρ″(r), used by the asymptotic covariance of M-estimators.
    @inlinable
    public func psiPrime(_ r: Double) -> Double {
        switch self {
        case .squared:
            return 1
        case .huber(let d):
            return abs(r) <= d ? 1 : 0
        case .softL1(let d):
            let z = r / d
            let q = 1 + z * z
            return 1 / (q * q.squareRoot())
        case .cauchy(let d):
            let z = r / d
            let q = 1 + z * z
            return (1 - z * z) / (q * q)
        case .asymmetric(let tau):
            return r >= 0 ? tau : 1 - tau
        }
    }

    /// IRLS weight w(r) = ψ(r)/r, with w(0) = 1.
    @inlinable
    public func weight(_ r: Double) -> Double {
        switch self {
        case .squared:
            return 1
        case .huber(let d):
            let a = abs(r)
            return a <= d ? 1 : d / a
        case .softL1(let d):
            let z = r / d
            return 1 / (1 + z * z).squareRoot()
        case .cauchy(let d):
            let z = r / d
            return 1 / (1 + z * z)
        case .asymmetric(let tau):
            return r >= 0 ? tau : 1 - tau
        }
    }

    /// The scale parameter δ, if the loss has one.
    public var delta: Double? {
        switch self {
        case .squared, .asymmetric: return nil
        case .huber(let d), .softL1(let d), .cauchy(let d): return d
        }
    }

    /// Σᵢ ρ(rᵢ).
    @inlinable
    public func cost(_ residuals: [Double]) -> Double {
        var s = 0.0
        for r in residuals { s += rho(r) }
        return s
    }

    /// Σᵢ wᵢ·ρ(rᵢ), or Σᵢ ρ(rᵢ) when `weights` is nil.
    @inlinable
    public func cost(_ residuals: [Double], weights: [Double]?) -> Double {
        guard let weights else { return cost(residuals) }
        var s = 0.0
        for (r, w) in zip(residuals, weights) { s += w * rho(r) }
        return s
    }
}
