import Foundation

/// Broken neural scaling law (BNSL) with n breaks:
///
///     y = a + b · x^(−c₀) · Πᵢ (1 + (x/dᵢ)^(1/fᵢ))^(−cᵢ·fᵢ)
///
/// Caballero, Gupta, Rish & Krueger 2022, "Broken Neural Scaling Laws" (arXiv:2210.14891), eq. 1. Each
/// break i bends the log–log slope by −cᵢ around x = dᵢ, with sharpness fᵢ. a and b enter linearly
/// and are solved by least squares in the start search; the break locations are placed on a log grid
/// spanning the observed x, so users need not tune starts.
public struct BrokenPowerLaw: ScalingLaw {
    /// The variable x (a CSV column or params/tokens/flops).
    public let x: String
    /// Number of breaks, 1 to 3.
    public let breaks: Int
    let body: FormulaLaw

    /// The broken power law in the variable `x` with `breaks` breaks (Caballero et al. 2022, eq. 1).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` unless 1 ≤ `breaks` ≤ 3.
    public init(x: String = Variable.flops, breaks: Int = 1) throws(ScalingLawsError) {
        guard (1...3).contains(breaks) else {
            throw .invalidOption(option: "--breaks", message: "expected 1, 2 or 3 breaks, got \(breaks)")
        }
        self.x = x
        self.breaks = breaks
        var text = "a + b*x^(-c0)"
        var summaries = ["a": "limit as x grows (the floor)", "b": "scale", "c0": "initial log-log slope (negated)"]
        var order = ["a", "b", "c0"]
        for i in 1...breaks {
            text += "*(1 + (x/d\(i))^(1/f\(i)))^(-c\(i)*f\(i))"
            summaries["c\(i)"] = "change of slope at break \(i)"
            summaries["d\(i)"] = "location of break \(i)"
            summaries["f\(i)"] = "sharpness of break \(i) (smaller is sharper)"
            order += ["c\(i)", "d\(i)", "f\(i)"]
        }
        let positive = Set(["b"] + (1...breaks).flatMap { ["d\($0)", "f\($0)"] })
        body = try FormulaLaw(text, columns: [], bounds: [:], aliases: ["x": x], positive: positive,
                              summaries: summaries, order: order)
    }

    public var name: String { "bnsl" }
    public var formula: String { "y = " + substitute(body.text, x: Variable.symbol(x)) }
    public var variables: [String] { body.variables }
    public var parameters: [LawParameter] { body.parameters }
    public var configuration: [String: String] { ["x": x, "breaks": String(breaks)] }

    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) { body.evaluate(t, x, into: &f) }
    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) { body.jacobian(t, x, into: &j) }
    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) { body.basis(t, x, into: &b) }

    /// c₀ ∈ {0, 0.1, 0.3}, cᵢ ∈ {0.2, 0.8}, fᵢ ∈ {0.1, 0.3, 1} (one break) or 0.3, and ordered break
    /// locations from six points log-spaced inside the observed range of x.
    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        let xs = x.columns[0]
        guard let lo = xs.min(), let hi = xs.max(), lo > 0, hi > lo else { return [] }
        let locations = geometricGrid(lo, hi, count: 8).dropFirst().dropLast().map { $0 }
        func combinations(_ k: Int, from start: Int) -> [[Double]] {
            if k == 0 { return [[]] }
            guard start < locations.count else { return [] }
            return (start..<locations.count).flatMap { i in combinations(k - 1, from: i + 1).map { [locations[i]] + $0 } }
        }
        let sharpness: [Double] = breaks == 1 ? [0.1, 0.3, 1] : [0.3]
        var grid = [[Double]]()
        for c0 in [0.0, 0.1, 0.3] {
            for ds in combinations(breaks, from: 0) {
                var partial: [[Double]] = [[0, 0, c0]]
                for d in ds {
                    partial = partial.flatMap { p in
                        [0.2, 0.8].flatMap { c in sharpness.map { f in p + [c, d, f] } }
                    }
                }
                grid += partial
            }
        }
        return grid
    }
}

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
public struct TestTimeLaw: ScalingLaw {
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
    let body: FormulaLaw

    /// The test-time law of the accuracy against `x`, in the given form.
    public init(x: String = "samples", form: Form = .sigmoid) {
        self.x = x
        self.form = form
        switch form {
        case .sigmoid:
            body = try! FormulaLaw("floor + (1 - floor)/(1 + exp(-k*(log(x) - m)))", columns: [], bounds: [:],
                                   aliases: ["x": x], positive: ["k"],
                                   summaries: ["floor": "accuracy with no test-time compute (chance level)",
                                               "k": "steepness per e-fold of compute", "m": "ln x at the midpoint"],
                                   order: ["floor", "k", "m"])
        case .loglinear:
            body = try! FormulaLaw("min(1, a + b*log(x))", columns: [], bounds: [:], aliases: ["x": x], positive: [],
                                   summaries: ["a": "accuracy at x = 1", "b": "gain per e-fold of compute"],
                                   order: ["a", "b"])
        }
    }

    public var name: String { "test-time" }
    public var formula: String { "acc = " + substitute(body.text, x: Variable.symbol(x)) }
    public var variables: [String] { body.variables }
    public var parameters: [LawParameter] { body.parameters }
    public var configuration: [String: String] { ["x": x, "form": form.rawValue] }
    public var defaultObjective: Objective? { Objective(loss: .mse, space: .linear) }

    public func evaluate(_ t: [Double], _ x: Inputs, into f: inout [Double]) { body.evaluate(t, x, into: &f) }
    public func jacobian(_ t: [Double], _ x: Inputs, into j: inout Matrix) { body.jacobian(t, x, into: &j) }
    public func basis(_ t: [Double], _ x: Inputs, into b: inout Matrix) { body.basis(t, x, into: &b) }

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

/// `text` with the variable named `x` (a whole word) replaced by `name`.
func substitute(_ text: String, x name: String) -> String {
    text.replacingOccurrences(of: "\\bx\\b", with: name, options: .regularExpression)
}
