import Foundation

/// Step 2 of a two-step downstream forecast: a task metric as a function of the task loss (or
/// bits-per-byte) x, fitted across the models of a ladder (Dubey et al. 2024, "The Llama 3 Herd of
/// Models", arXiv:2407.21783, §3.2.1; Bhagia et al. 2024, "Establishing Task Scaling Laws via
/// Compute-Efficient Model Ladders", arXiv:2412.04403, eq. 2):
///
///     metric = a / (1 + exp(−k·(x − L0))) + b
///
/// b is the floor (chance level: 0.25 on four-way multiple choice) and a + b the ceiling when k < 0, the
/// usual case: accuracy falls as the loss rises, from a + b at low loss to b at high loss; L0 is the
/// loss at the midpoint. k is free in sign (k > 0 for a metric that rises with the loss, such as an
/// error rate); a is kept positive, since σ(z) = 1 − σ(−z) makes (a, b, k, L0) and (−a, a + b, −k, L0)
/// the same curve and only one of them has b as the floor. a and b enter linearly and are solved by least squares for each (k, L0) of the start
/// grid. The default objective is squared error on the metric itself (linear space).
public struct SigmoidMetricLaw: FormulaDefinedLaw {
    /// The column holding the task loss x.
    public let x: String
    /// The law as a compiled formula (exact derivatives by dual numbers).
    public let definition: FormulaLaw

    /// The default name of the task-loss column.
    public static let defaultX = "task_loss"

    public init(x: String = SigmoidMetricLaw.defaultX) {
        self.x = x
        definition = try! FormulaLaw("a/(1 + exp(-k*(x - L0))) + b", columns: [], bounds: [:], aliases: ["x": x], positive: ["a"],
                               summaries: ["a": "range of the metric (ceiling − floor when k < 0)",
                                           "b": "floor of the metric at high loss (chance level)",
                                           "k": "steepness per unit of loss (negative: the metric falls as the loss rises)",
                                           "L0": "task loss at the midpoint"],
                               order: ["a", "b", "k", "L0"])
    }

    public var name: String { "sigmoid" }
    public var formula: String { "y = " + substitute(definition.text, x: x) }
    public var configuration: [String: String] { ["x": x] }
    public var defaultObjective: Objective? { Objective(loss: .mse, space: .linear) }


    /// k ∈ ±{0.3, 1, 3, 10, 30} per unit of x range, L0 at 12 points across and beyond the observed x.
    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        let xs = x.columns[0]
        guard let lo = xs.min(), let hi = xs.max() else { return [] }
        let span = max(hi - lo, 1e-6)
        let mids = (0..<12).map { lo - 0.5 * span + 2 * span * Double($0) / 11 }
        let slopes = [0.3, 1, 3, 10, 30].flatMap { [-$0 / span, $0 / span] }
        return slopes.flatMap { k in mids.map { [0, 0, k, $0] } }
    }
}

/// Step 2 in the form of Gadre et al. 2024 ("Language models scale reliably with over-training and on
/// downstream tasks", arXiv:2403.08540, eq. 5): a task error rate against the loss L,
///
///     err = ε − k·exp(−γ·L)
///
/// ε is the error at high loss (chance), rising towards it as L grows; k and γ > 0 set how fast error
/// falls as the loss improves. ε and k enter linearly. The response is an error (1 − accuracy); the
/// default objective is squared error on it (linear space).
public struct ExponentialErrorLaw: FormulaDefinedLaw {
    /// The column holding the loss L.
    public let x: String
    /// The law as a compiled formula (exact derivatives by dual numbers).
    public let definition: FormulaLaw

    public init(x: String = SigmoidMetricLaw.defaultX) {
        self.x = x
        definition = try! FormulaLaw("epsilon - k*exp(-gamma*x)", columns: [], bounds: [:], aliases: ["x": x], positive: ["gamma"],
                               summaries: ["epsilon": "error at high loss (chance level)",
                                           "k": "scale of the improvement",
                                           "gamma": "rate at which error falls as the loss decreases"],
                               order: ["epsilon", "k", "gamma"])
    }

    public var name: String { "exp-error" }
    public var formula: String { "err = " + substitute(definition.text, x: x) }
    public var configuration: [String: String] { ["x": x] }
    public var defaultObjective: Objective? { Objective(loss: .mse, space: .linear) }


    /// γ from 0.01 to 30 per unit of x, log-spaced; ε and k by least squares.
    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        geometricGrid(0.01, 30, count: 60).map { [0, 0, $0] }
    }
}
