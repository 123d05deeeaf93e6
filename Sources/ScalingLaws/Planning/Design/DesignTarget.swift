import Foundation

/// What a design should forecast well.
public enum DesignTarget: Sendable, Hashable {
    /// The loss of one run of `params` parameters trained on `tokens` tokens.
    case loss(params: Double, tokens: Double)
    /// The loss of the compute-optimal run at `flops` FLOPs.
    case optimalLoss(flops: Double)
    /// The compute-optimal model size N* and tokens D* at `flops` FLOPs (under C = k·N·D, an interval
    /// on ln N* is the same as one on ln D*, so the design minimises one and reports both).
    case optimum(flops: Double)

    /// What the target is, in words.
    public var summary: String {
        switch self {
        case let .loss(n, d): return "loss of the run N = \(n), D = \(d)"
        case let .optimalLoss(c): return "loss of the compute-optimal run at C = \(c)"
        case let .optimum(c): return "compute-optimal N* and D* at C = \(c)"
        }
    }

    /// Name of the primary quantity: `loss` or `params`.
    public var quantity: String {
        if case .optimum = self { return "params" }
        return "loss"
    }

    /// Checks the target's numbers and that `law` can compute it.
    func validate(law: any ScalingLaw) throws(ScalingLawsError) {
        guard Set(law.variables).isSubset(of: [Variable.params, Variable.tokens, Variable.flops]) else {
            throw .unsupported("the \(law.name) law reads \(law.variables.joined(separator: ", ")); a design chooses N and D, so it needs a law of params, tokens and flops only")
        }
        switch self {
        case let .loss(n, d):
            guard n.isFinite, n > 0 else { throw .invalidOption(option: .targetParams, message: "expected a positive number, got \(n)") }
            guard d.isFinite, d > 0 else { throw .invalidOption(option: .targetTokens, message: "expected a positive number, got \(d)") }
        case let .optimalLoss(c), let .optimum(c):
            let setting: Setting = self.quantity == "loss" ? .targetFlops : .targetOptimum
            guard c.isFinite, c > 0 else { throw .invalidOption(option: setting, message: "expected a positive FLOP budget, got \(c)") }
            guard law is any ComputeOptimalLaw else {
                throw .unsupported("the \(law.name) law has no compute-optimal allocation; use \(.targetParams)/\(.targetTokens), or a law such as chinchilla")
            }
        }
    }

    /// The primary quantity at parameters θ (positive), or nil where undefined.
    func value(law: any ScalingLaw, _ theta: [Double], flopsPerParamToken k: Double) -> Double? {
        switch self {
        case let .loss(n, d):
            let run = Run(params: n, tokens: d).completed(flopsPerParamToken: k)
            let columns = law.variables.map { [run.value(of: $0) ?? .nan] }
            let v = law.evaluate(theta, Inputs(columns: columns))[0]
            return v.isFinite && v > 0 ? v : nil
        case let .optimalLoss(c):
            guard let law = law as? any ComputeOptimalLaw,
                  let o = try? law.computeOptimum(theta, flops: c, flopsPerParamToken: k), o.loss.isFinite, o.loss > 0 else { return nil }
            return o.loss
        case let .optimum(c):
            guard let law = law as? any ComputeOptimalLaw,
                  let o = try? law.computeOptimum(theta, flops: c, flopsPerParamToken: k),
                  let n = o.params, n.isFinite, n > 0 else { return nil }
            return n
        }
    }

    /// Where the target sits relative to the compute-optimal frontier: ln(D/N) minus the optimal
    /// ln(D*/N*) at the same compute (0 for the compute-optimal targets).
    func frontierOffset(law: any ScalingLaw, _ theta: [Double], flopsPerParamToken k: Double) -> Double? {
        switch self {
        case let .loss(n, d):
            return DesignProblem.frontierOffset(law: law, theta, params: n, tokens: d, flopsPerParamToken: k)
        case .optimalLoss, .optimum:
            return 0
        }
    }
}
