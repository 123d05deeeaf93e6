import Foundation

/// The objective a fit minimises. Every reported number says which objective produced it: the choice
/// (raw MSE, log MSE, Huber on log residuals) moves forecasts and compute-optimal sizes by up to ±20%.
///
/// The default is Hoffmann et al. 2022 (Approach 3) as replicated by Besiroglu et al. 2024: the **sum**
/// over runs of Huber_δ(ln L − ln L̂) with δ = 10⁻³.
public struct Objective: Sendable, Hashable, Codable {
    /// The per-residual loss.
    public enum Loss: String, Sendable, Hashable, Codable, CaseIterable {
        /// Mean squared residual (reported as the mean; minimised as the sum).
        case mse
        /// Sum of Huber_δ(r).
        case huber
        /// Sum of soft-L1_δ(r) = δ²(√(1 + (r/δ)²) − 1).
        case softL1 = "soft-l1"
        /// Sum of Cauchy_δ(r) = δ²/2 · ln(1 + (r/δ)²).
        case cauchy
        /// Sum of the asymmetric squared loss with expectile τ (``Objective/tau``): runs below the curve
        /// weigh 1 − τ, runs above weigh τ, so for τ < ½ the law traces the lower envelope of the data.
        case asymmetric
    }

    /// Where residuals are taken.
    public enum Space: String, Sendable, Hashable, Codable, CaseIterable {
        /// r = ln y − ln ŷ (relative errors; the default for losses).
        case log
        /// r = y − ŷ.
        case linear
    }

    /// The per-residual loss ρ.
    public var loss: Loss
    /// Scale δ of the robust losses (ignored by `mse` and `asymmetric`).
    public var delta: Double
    /// Where residuals are taken.
    public var space: Space
    /// Expectile τ of the `asymmetric` loss (ignored by the others).
    public var tau: Double

    /// An objective; the default is Σ Huber_δ(ln L − ln L̂) with δ = 10⁻³ (Hoffmann et al. 2022; Besiroglu et al. 2024).
    public init(loss: Loss = .huber, delta: Double = 1e-3, space: Space = .log, tau: Double = 0.1) {
        self.loss = loss
        self.delta = delta
        self.space = space
        self.tau = tau
    }

    /// The solver's robust loss ρ.
    public var robustLoss: RobustLoss {
        switch loss {
        case .mse: return .squared
        case .huber: return .huber(delta: delta)
        case .softL1: return .softL1(delta: delta)
        case .cauchy: return .cauchy(delta: delta)
        case .asymmetric: return .asymmetric(tau: tau)
        }
    }

    /// The reported objective value for these residuals: the mean of r² for `mse`, otherwise Σρ(r).
    /// With run weights wᵢ: the weighted mean Σwᵢrᵢ²/Σwᵢ for `mse`, otherwise Σwᵢρ(rᵢ).
    public func value(residuals r: [Double], weights: [Double]? = nil) -> Double {
        switch loss {
        case .mse:
            guard let weights else {
                return r.isEmpty ? 0 : r.reduce(0) { $0 + $1 * $1 } / Double(r.count)
            }
            let total = weights.reduce(0, +)
            return total > 0 ? zip(r, weights).reduce(0) { $0 + $1.1 * $1.0 * $1.0 } / total : 0
        default:
            return robustLoss.cost(r, weights: weights)
        }
    }

    /// A sentence defining the reported value, e.g. "sum over runs of Huber(δ=0.001) of ln(y) − ln(ŷ)".
    public var definition: String {
        let residual = space == .log ? "ln(y) - ln(y_hat)" : "y - y_hat"
        switch loss {
        case .mse: return "mean over runs of (\(residual))^2"
        case .huber: return "sum over runs of Huber(delta=\(delta)) of \(residual)"
        case .softL1: return "sum over runs of soft-L1(delta=\(delta)) of \(residual)"
        case .cauchy: return "sum over runs of Cauchy(delta=\(delta)) of \(residual)"
        case .asymmetric: return "sum over runs of asymmetric squares (tau=\(tau) above the curve, \(1 - tau) below) of \(residual)"
        }
    }

    /// Checks δ.
    func validate() throws(ScalingLawsError) {
        if loss != .mse && loss != .asymmetric && !(delta > 0 && delta.isFinite) {
            throw .invalidOption(option: .delta, message: "expected a positive number, got \(delta)")
        }
        if loss == .asymmetric && !(tau > 0 && tau < 1) {
            throw .invalidOption(option: .tau, message: "expected a number strictly between 0 and 1, got \(tau)")
        }
    }
}
