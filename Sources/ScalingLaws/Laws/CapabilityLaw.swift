import Foundation

/// Capability scaling of the GPT-4 report (OpenAI 2023, "GPT-4 Technical Report", arXiv:2303.08774,
/// §3.1, fig. 2): the mean log pass rate on a coding benchmark follows a power law in compute,
///
///     −ln(pass rate) = α · C^(−k),   i.e.   pass = exp(−α · C^(−k)).
///
/// The law predicts the pass rate itself; its default objective is squared error in log space, where
/// the residual ln p − ln p̂ = α̂C^(−k̂) − (−ln p) is exactly the error in −log pass rate that the report
/// fitted. Starts come from the log-log regression ln(−ln p) = ln α − k·ln C over runs with 0 < p < 1.
public struct CapabilityLaw: FormulaDefinedLaw {
    /// The variable C: `flops` by default, or params, tokens or a CSV column.
    public let x: String
    /// The law as a compiled formula (exact derivatives by dual numbers).
    public let definition: FormulaLaw

    public init(x: String = Variable.flops) {
        self.x = x
        definition = try! FormulaLaw("exp(-alpha*x^(-k))", columns: [], bounds: [:], aliases: ["x": x], positive: ["alpha", "k"],
                               summaries: ["alpha": "−ln(pass rate) at x = 1", "k": "exponent of the decay of −ln(pass rate)"],
                               order: ["alpha", "k"])
    }

    public var name: String { "capability" }
    public var formula: String { "pass = exp(-alpha * \(Variable.symbol(x))^-k)" }
    public var configuration: [String: String] { ["x": x] }
    public var defaultObjective: Objective? { Objective(loss: .mse, space: .log) }


    /// The log-log regression ln(−ln p) = ln α − k·ln x (LAPACK least squares), when it gives k > 0.
    public func initialGuesses(_ x: Inputs, response y: [Double]) -> [[Double]] {
        let points = (0..<x.count).filter { y[$0] > 0 && y[$0] < 1 && x.logColumns[0][$0].isFinite }
        guard points.count >= 2,
              let s = try? LeastSquares.solveSVD(Matrix(columns: [points.map { _ in 1 }, points.map { x.logColumns[0][$0] }]),
                                                 points.map { log(-log(y[$0])) }),
              s.x[1] < 0, s.x.allSatisfy(\.isFinite) else { return [] }
        return [[exp(s.x[0]), -s.x[1]]]
    }

    /// k on a log grid from 0.01 to 2, α matching the median −ln p at the median x.
    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        let lx = x.logColumns[0].filter(\.isFinite).sorted()
        let target = y.filter { $0 > 0 && $0 < 1 }.map { -log($0) }.sorted()
        guard !lx.isEmpty, !target.isEmpty else { return [] }
        let mx = lx[lx.count / 2], mt = target[target.count / 2]
        return geometricGrid(0.01, 2, count: 40).map { k in [mt * exp(k * mx), k] }
    }
}
