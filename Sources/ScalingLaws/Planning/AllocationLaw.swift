import Foundation

/// y = k · x^a, fitted by linear least squares in log–log space: ln y = ln k + a·ln x.
///
/// The form of every compute-optimal allocation law: N*(C) = k_N·C^a and D*(C) = k_D·C^b (Hoffmann et
/// al. 2022, Approaches 1 and 2, where a ≈ b ≈ 0.5; Llama 3 2024, D*(C) = 0.299·C^0.537; DeepSeek LLM
/// 2024).
public struct PowerLawFit: Sendable, Hashable, Codable {
    /// k, the value at x = 1.
    public var coefficient: Double
    /// a, the exponent.
    public var exponent: Double

    /// A power law k·C^e with coefficient k and exponent e.
    public init(coefficient: Double, exponent: Double) {
        self.coefficient = coefficient
        self.exponent = exponent
    }

    /// k · x^a.
    public func callAsFunction(_ x: Double) -> Double { coefficient * pow(x, exponent) }

    /// The least-squares fit of ln y = ln k + a·ln x by LAPACK (`dgelsd`). ln x is centred before the
    /// solve (ln C is about 50 for real budgets, which would otherwise make the two columns nearly
    /// parallel) and the intercept is mapped back.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` when fewer than two distinct
    ///   positive x values are given; `what` names the fitted quantity in the message.
    public static func fit(x: [Double], y: [Double], what: String) throws(ScalingLawsError) -> PowerLawFit {
        precondition(x.count == y.count, "x and y must pair up")
        guard x.allSatisfy({ $0 > 0 && $0.isFinite }), y.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .insufficientData("\(what): a power law needs positive finite values")
        }
        let lx = x.map { log($0) }, ly = y.map { log($0) }
        let center = lx.reduce(0, +) / Double(max(lx.count, 1))
        guard lx.count >= 2, let spread = lx.map({ abs($0 - center) }).max(), spread > 1e-12 else {
            throw .insufficientData("\(what): a power law needs at least two distinct budgets, found \(Set(x).count)")
        }
        let design = Matrix(columns: [[Double](repeating: 1, count: lx.count), lx.map { $0 - center }])
        guard let s = try? LeastSquares.solveSVD(design, ly), s.rank == 2 else {
            throw .insufficientData("\(what): the log-log least-squares problem is rank deficient")
        }
        return PowerLawFit(coefficient: exp(s.x[0] - s.x[1] * center), exponent: s.x[1])
    }
}

/// Compute-optimal allocation laws N*(C) = k_N·C^a and D*(C) = k_D·C^b.
///
/// Under C = k·N·D the two are tied: D* = C/(k·N*) gives b = 1 − a and k_D = 1/(k·k_N). Fits of both
/// on the same optima satisfy this exactly; published laws often give one of them.
public struct AllocationLaw: Sendable, Hashable, Codable {
    /// N*(C) = k_N·C^a.
    public var params: PowerLawFit
    /// D*(C) = k_D·C^b.
    public var tokens: PowerLawFit

    /// Both laws as given: N*(C) = `params`(C) and D*(C) = `tokens`(C).
    public init(params: PowerLawFit, tokens: PowerLawFit) {
        self.params = params
        self.tokens = tokens
    }

    /// From a published tokens law D*(C) = k_D·C^b, with N* = C/(k·D*) = (1/(k·k_D))·C^(1−b).
    ///
    /// Llama 3 (Llama Team 2024, "The Llama 3 Herd of Models", arXiv:2407.21783, §3.2.1) gives
    /// D*(C) = 0.299·C^0.537 (their "N*(C)" counts training tokens); at C = 3.8e25 this is 1.63e13
    /// tokens and, with C = 6ND, 3.9e11 parameters (the paper trained 402B on 16.55T).
    public init(tokens: PowerLawFit, flopsPerParamToken k: Double = 6) {
        self.tokens = tokens
        self.params = PowerLawFit(coefficient: 1 / (k * tokens.coefficient), exponent: 1 - tokens.exponent)
    }

    /// From a published parameters law N*(C) = k_N·C^a, with D* = C/(k·N*).
    public init(params: PowerLawFit, flopsPerParamToken k: Double = 6) {
        self.params = params
        self.tokens = PowerLawFit(coefficient: 1 / (k * params.coefficient), exponent: 1 - params.exponent)
    }

    /// N*(C) and D*(C) at `flops` (no loss: an allocation law alone does not give one).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a non-positive budget.
    public func predict(flops: Double) throws(ScalingLawsError) -> AllocationPrediction {
        try predictAllocation(self, lossLaw: nil, bootstrap: nil, flops: flops)
    }

    /// Fits both laws to compute-optimal points (C, N*, D*) by log–log least squares.
    static func fit(flops: [Double], params: [Double], tokens: [Double]) throws(ScalingLawsError) -> AllocationLaw {
        AllocationLaw(params: try PowerLawFit.fit(x: flops, y: params, what: "N*(C)"),
                      tokens: try PowerLawFit.fit(x: flops, y: tokens, what: "D*(C)"))
    }
}

/// What an allocation law predicts for a budget, with bootstrap intervals when available.
public struct AllocationPrediction: Sendable, Hashable {
    /// The budget C.
    public var flops: Double
    /// N*(C).
    public var params: Double
    /// D*(C).
    public var tokens: Double
    /// L*(C) from the fitted loss envelope, if one was fitted.
    public var loss: Double?
    /// Percentile interval of N*(C) over bootstrap replicates.
    public var paramsInterval: Interval?
    /// Percentile interval of D*(C) over bootstrap replicates.
    public var tokensInterval: Interval?

    /// A predicted allocation at `flops`, with optional loss and intervals.
    public init(flops: Double, params: Double, tokens: Double, loss: Double? = nil,
                paramsInterval: Interval? = nil, tokensInterval: Interval? = nil) {
        self.flops = flops
        self.params = params
        self.tokens = tokens
        self.loss = loss
        self.paramsInterval = paramsInterval
        self.tokensInterval = tokensInterval
    }
}
