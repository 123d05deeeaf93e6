/// One training run: model size N, training tokens D, compute C and the loss it reached, plus any
/// other numeric columns (accuracies, unique tokens, …).
public struct Run: Sendable, Hashable, Codable {
    // N, D, C, the loss and the weight as five doubles and a bit each saying whether it is present (an
    // absent one is stored as 0, so the synthesised == and hash see only present values): 72 bytes a run
    // instead of 104 with five `Double?`, which matters for a checkpoint fit of a million points.
    private var storedParams = 0.0, storedTokens = 0.0, storedFlops = 0.0, storedLoss = 0.0, storedWeight = 0.0
    /// Other numeric columns by name.
    public var values: [String: Double]
    /// Rows sharing a group label belong together (a `group`, `run` or `run_id` column): resampling
    /// draws whole groups.
    public var group: String?
    private var present: UInt8 = 0

    private static let paramsBit: UInt8 = 1, tokensBit: UInt8 = 2, flopsBit: UInt8 = 4, lossBit: UInt8 = 8, weightBit: UInt8 = 16

    @inline(__always) private func get(_ value: Double, _ bit: UInt8) -> Double? { present & bit != 0 ? value : nil }
    @inline(__always) private static func set(_ value: inout Double, _ present: inout UInt8, _ bit: UInt8, _ newValue: Double?) {
        if let newValue { value = newValue; present |= bit } else { value = 0; present &= ~bit }
    }

    /// Model parameters N.
    public var params: Double? {
        get { get(storedParams, Self.paramsBit) }
        set { Self.set(&storedParams, &present, Self.paramsBit, newValue) }
    }
    /// Training tokens D.
    public var tokens: Double? {
        get { get(storedTokens, Self.tokensBit) }
        set { Self.set(&storedTokens, &present, Self.tokensBit, newValue) }
    }
    /// Training compute C in FLOPs.
    public var flops: Double? {
        get { get(storedFlops, Self.flopsBit) }
        set { Self.set(&storedFlops, &present, Self.flopsBit, newValue) }
    }
    /// Final loss (the response the laws fit).
    public var loss: Double? {
        get { get(storedLoss, Self.lossBit) }
        set { Self.set(&storedLoss, &present, Self.lossBit, newValue) }
    }
    /// Weight of this run in the fit's objective, Σ wᵢ·ρ(rᵢ) (nil: 1). Checkpoints of one long run share
    /// a total weight of 1 so that a run logged often does not outweigh the others
    /// (``LongFormat/runs(from:variables:columns:runColumn:use:flopsPerParamToken:)``).
    public var weight: Double? {
        get { get(storedWeight, Self.weightBit) }
        set { Self.set(&storedWeight, &present, Self.weightBit, newValue) }
    }

    /// A run; any variable may be missing (e.g. the loss of a target to predict).
    public init(params: Double? = nil, tokens: Double? = nil, flops: Double? = nil, loss: Double? = nil,
                values: [String: Double] = [:], group: String? = nil, weight: Double? = nil) {
        self.values = values
        self.group = group
        self.params = params
        self.tokens = tokens
        self.flops = flops
        self.loss = loss
        self.weight = weight
    }

    private enum CodingKeys: String, CodingKey {
        case params, tokens, flops, loss, values, group, weight
    }

    /// Decodes the keys `params`, `tokens`, `flops`, `loss`, `values`, `group` and `weight` (absent
    /// optional values as nil).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(params: try c.decodeIfPresent(Double.self, forKey: .params),
                  tokens: try c.decodeIfPresent(Double.self, forKey: .tokens),
                  flops: try c.decodeIfPresent(Double.self, forKey: .flops),
                  loss: try c.decodeIfPresent(Double.self, forKey: .loss),
                  values: try c.decode([String: Double].self, forKey: .values),
                  group: try c.decodeIfPresent(String.self, forKey: .group),
                  weight: try c.decodeIfPresent(Double.self, forKey: .weight))
    }

    /// Encodes the present values under the keys ``init(from:)`` reads.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(params, forKey: .params)
        try c.encodeIfPresent(tokens, forKey: .tokens)
        try c.encodeIfPresent(flops, forKey: .flops)
        try c.encodeIfPresent(loss, forKey: .loss)
        try c.encode(values, forKey: .values)
        try c.encodeIfPresent(group, forKey: .group)
        try c.encodeIfPresent(weight, forKey: .weight)
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

    /// Whether exactly one of N, D, C is missing, so that ``completed(flopsPerParamToken:)`` changes the run.
    var lacksOneOfNDC: Bool {
        (params == nil ? 1 : 0) + (tokens == nil ? 1 : 0) + (flops == nil ? 1 : 0) == 1
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
