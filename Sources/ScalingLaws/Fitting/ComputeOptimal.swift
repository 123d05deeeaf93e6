/// A law that can say what a FLOP budget buys.
public protocol ComputeOptimalLaw: ScalingLaw {
    /// The best allocation of `flops` under C = k·N·D and the loss it reaches.
    func computeOptimum(_ theta: [Double], flops: Double, flopsPerParamToken k: Double) throws(ScalingLawsError) -> ComputeOptimum
}

/// The compute-optimal model for a FLOP budget.
public struct ComputeOptimum: Sendable, Hashable, Codable {
    /// The budget C.
    public var flops: Double
    /// Optimal parameters N (nil for laws of compute alone).
    public var params: Double?
    /// Optimal tokens D (nil for laws of compute alone).
    public var tokens: Double?
    /// Predicted loss at the optimum.
    public var loss: Double

    /// An optimum at `flops`: N and D when the law allocates them, and the loss reached.
    public init(flops: Double, params: Double?, tokens: Double?, loss: Double) {
        self.flops = flops
        self.params = params
        self.tokens = tokens
        self.loss = loss
    }

    /// D/N at the optimum.
    public var tokensPerParam: Double? {
        guard let n = params, let d = tokens else { return nil }
        return d / n
    }
}

extension SaturatingPowerLaw: ComputeOptimalLaw {
    /// For a law of compute, L(C) = E + A·C^(−α) is the loss the compute-optimal model reaches at C
    /// (the envelope over model sizes); the allocation itself needs a law of N and D.
    public func computeOptimum(_ t: [Double], flops: Double, flopsPerParamToken k: Double) throws(ScalingLawsError) -> ComputeOptimum {
        guard x == Variable.flops else {
            throw .unsupported("the saturating law gives the loss at a FLOP budget only when fitted on flops (\(.x, "flops")); this one is fitted on \(x)")
        }
        return ComputeOptimum(flops: flops, params: nil, tokens: nil, loss: evaluate(t, Inputs(columns: [[flops]]))[0])
    }
}
