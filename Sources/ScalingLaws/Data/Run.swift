/// One training run: model size N, training tokens D, compute C and the loss it reached, plus any
/// other numeric columns (accuracies, unique tokens, …).
public struct Run: Sendable, Hashable, Codable {
    /// Model parameters N.
    public var params: Double?
    /// Training tokens D.
    public var tokens: Double?
    /// Training compute C in FLOPs.
    public var flops: Double?
    /// Final loss (the response the laws fit).
    public var loss: Double?
    /// Other numeric columns by name.
    public var values: [String: Double]
    /// Rows sharing a group label belong together (a `group`, `run` or `run_id` column): resampling
    /// draws whole groups.
    public var group: String?
    /// Weight of this run in the fit's objective, Σ wᵢ·ρ(rᵢ) (nil: 1). Checkpoints of one long run share
    /// a total weight of 1 so that a run logged often does not outweigh the others
    /// (``LongFormat/runs(from:variables:columns:runColumn:use:flopsPerParamToken:)``).
    public var weight: Double?

    /// A run; any variable may be missing (e.g. the loss of a target to predict).
    public init(params: Double? = nil, tokens: Double? = nil, flops: Double? = nil, loss: Double? = nil,
                values: [String: Double] = [:], group: String? = nil, weight: Double? = nil) {
        self.params = params
        self.tokens = tokens
        self.flops = flops
        self.loss = loss
        self.values = values
        self.group = group
        self.weight = weight
    }

    /// The value of a law variable: `params`, `tokens`, `flops` or a name in ``values``.
    public func value(of variable: String) -> Double? {
        switch variable {
        case Variable.params: return params
        case Variable.tokens: return tokens
        case Variable.flops: return flops
        default: return values[variable]
        }
    }

    /// Sets a law variable: `params`, `tokens`, `flops` or a name in ``values``.
    public mutating func setValue(_ value: Double, of variable: String) {
        switch variable {
        case Variable.params: params = value
        case Variable.tokens: tokens = value
        case Variable.flops: flops = value
        default: values[variable] = value
        }
    }

    /// This run with whichever of N, D, C is missing derived from the other two by C = k·N·D.
    public func completed(flopsPerParamToken k: Double) -> Run {
        var run = self
        switch (params, tokens, flops) {
        case let (n?, d?, nil): run.flops = k * n * d
        case let (n?, nil, c?): run.tokens = c / (k * n)
        case let (nil, d?, c?): run.params = c / (k * d)
        default: break
        }
        return run
    }
}
