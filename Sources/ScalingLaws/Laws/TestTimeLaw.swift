import Foundation

/// Test-time compute: accuracy (or pass@k) against inference compute or number of samples.
///
/// - `sigmoid` (default): acc = floor + (1 − floor) / (1 + exp(−k·(ln x − m))), saturating at 1 with a
///   floor at chance level; the form of Snell et al. 2024 and Brown et al. 2024 ("Large Language Monkeys",
///   arXiv:2407.21787) for coverage against samples in log scale.
/// - `loglinear`: acc = min(1, a + b·ln x), the log-linear trend reported for test-time compute
///   (OpenAI 2024, o1 system card), capped at 1.
///
/// The default objective is squared error on accuracies (linear space): accuracies near 0 make log
/// residuals meaningless.
public struct TestTimeLaw: FormulaDefinedLaw {
    /// The shape of the test-time law: `sigmoid` in ln x (saturating at 1), or `loglinear` (acc = min(1, a + b·ln x)).
    public enum Form: String, Sendable, CaseIterable {
        /// A sigmoid in ln x between a floor and 1.
        case sigmoid
        /// A straight line in ln x, capped at 1.
        case loglinear
    }

    /// The variable x, e.g. `samples`: the test-time compute per problem.
    public let x: String
    /// The shape of the law.
    public let form: Form
    /// The law as a compiled formula (exact derivatives by dual numbers).
    public let definition: FormulaLaw

    /// The test-time law of the accuracy against `x`, in the given form.
    public init(x: String = "samples", form: Form = .sigmoid) {
        self.x = x
        self.form = form
        // The formulas are fixed and well formed (the tests build both forms), so parsing cannot fail.
        switch form {
        case .sigmoid:
            definition = try! FormulaLaw("floor + (1 - floor)/(1 + exp(-k*(log(x) - m)))", columns: [], bounds: [:],
                                   aliases: ["x": x], positive: ["k"],
                                   summaries: ["floor": "accuracy with no test-time compute (chance level)",
                                               "k": "steepness per e-fold of compute", "m": "ln x at the midpoint"],
                                   order: ["floor", "k", "m"])
        case .loglinear:
            definition = try! FormulaLaw("min(1, a + b*log(x))", columns: [], bounds: [:], aliases: ["x": x], positive: [],
                                   summaries: ["a": "accuracy at x = 1", "b": "gain per e-fold of compute"],
                                   order: ["a", "b"])
        }
    }

    public var name: String { "test-time" }
    public var formula: String { "acc = " + substitute(definition.text, x: Variable.symbol(x)) }
    public var configuration: [String: String] { ["x": x, "form": form.rawValue] }
    public var defaultObjective: Objective? { Objective(loss: .mse, space: .linear) }


    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        let lx = x.logColumns[0].filter { $0.isFinite }
        guard let lo = lx.min(), let hi = lx.max() else { return [] }
        switch form {
        case .sigmoid:
            let mids = (0..<8).map { lo + (hi - lo) * Double($0) / 7 }
            return [0.0, 0.1, 0.25, 0.5].flatMap { floor in
                [0.3, 1, 3].flatMap { k in mids.map { [floor, k, $0] } }
            }
        case .loglinear:
            // Least squares of y on ln x over the unsaturated points.
            let points = (0..<x.count).filter { y[$0] < 0.99 }
            guard points.count >= 2,
                  let s = try? LeastSquares.solveSVD(Matrix(columns: [points.map { _ in 1 }, points.map { x.logColumns[0][$0] }]),
                                                     points.map { y[$0] }) else { return [[0, 0.1]] }
            return [s.x, [0, 0.1]]
        }
    }
}
