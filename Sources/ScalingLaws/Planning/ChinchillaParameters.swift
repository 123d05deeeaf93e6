import Foundation

/// The five numbers of a fitted Chinchilla law L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022,
/// arXiv:2203.15556, eq. 2), with the closed forms the planners need.
public struct ChinchillaParameters: Sendable, Hashable {
    /// Irreducible loss E.
    public var E: Double
    /// Scale A of the model-size term A/N^α.
    public var A: Double
    /// Scale B of the data term B/D^β.
    public var B: Double
    /// Exponent α of model size N.
    public var alpha: Double
    /// Exponent β of training tokens D.
    public var beta: Double

    /// The parameters of L(N, D) = E + A/N^α + B/D^β.
    public init(E: Double, A: Double, B: Double, alpha: Double, beta: Double) {
        self.E = E
        self.A = A
        self.B = B
        self.alpha = alpha
        self.beta = beta
    }

    /// The parameters of a fitted or given `chinchilla` law.
    ///
    /// - Throws: ``ScalingLawsError/unsupported(_:)`` for any other law: planning with N and D needs L(N, D).
    public init(_ fit: FitResult) throws(ScalingLawsError) {
        guard fit.law is ChinchillaLaw, let e = fit["E"], let a = fit["A"], let b = fit["B"],
              let alpha = fit["alpha"], let beta = fit["beta"] else {
            throw .unsupported("this plan needs a law of model size and data, L(N, D); the \(fit.law.name) law is not one: use \(.law, "chinchilla")")
        }
        self.init(E: e, A: a, B: b, alpha: alpha, beta: beta)
    }

    /// Checks that these are parameters of a law the planners can use: E finite, A, B, α and β positive
    /// and finite (a parameter built by hand can be anything; a fitted law's always pass).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` naming the parameter.
    public func validate() throws(ScalingLawsError) {
        guard E.isFinite else {
            throw .invalidOption(option: .parameter, message: "E must be a finite number, got \(E)")
        }
        for (name, value) in [("A", A), ("B", B), ("alpha", alpha), ("beta", beta)] where !(value > 0 && value.isFinite) {
            throw .invalidOption(option: .parameter, message: "\(name) must be a positive finite number in the chinchilla law, got \(value)")
        }
    }

    /// L(N, D).
    public func loss(params n: Double, tokens d: Double) -> Double {
        E + A * pow(n, -alpha) + B * pow(d, -beta)
    }

    /// The tokens D at which a model of `params` N reaches `loss`: B/D^β = L − E − A/N^α, so
    /// D = (B / (L − E − A/N^α))^(1/β). Nil when L − E − A/N^α ≤ 0: N is too small to reach L with any D.
    public func tokens(params n: Double, loss: Double) -> Double? {
        let room = loss - E - A * pow(n, -alpha)
        guard room > 0 else { return nil }
        return pow(B / room, 1 / beta)
    }

    /// The Chinchilla-optimal model reaching `loss`, the one with the least training compute N·D.
    ///
    /// At the compute optimum αA/N^α = βB/D^β (Hoffmann et al. eq. 4, Lagrange condition), so the two
    /// reducible terms split L − E in the ratio β : α:
    /// N = (A(α+β) / (β(L − E)))^(1/α), D = (B(α+β) / (α(L − E)))^(1/β).
    /// Nil when L ≤ E (no model reaches it).
    public func computeOptimalModel(reaching loss: Double) -> (params: Double, tokens: Double)? {
        let reducible = loss - E
        guard reducible > 0 else { return nil }
        return (pow(A * (alpha + beta) / (beta * reducible), 1 / alpha),
                pow(B * (alpha + beta) / (alpha * reducible), 1 / beta))
    }
}
