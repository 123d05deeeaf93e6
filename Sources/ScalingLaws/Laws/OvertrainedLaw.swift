import Foundation

/// Over-training law of Gadre et al. 2024, "Language models scale reliably with over-training and on
/// downstream tasks" (arXiv:2403.08540), eq. 4:
///
///     L(C, M) = E + (a·M^η + b·M^(−η)) · C^(−η),    C = 6·N·D,  M = D/N (the token multiplier).
///
/// It is Chinchilla's L = E + A/N^α + B/D^β with equal exponents α = β: substituting N = √(C/(6M)) and
/// D = √(C·M/6) gives A·N^(−α) = A·6^(α/2)·M^(α/2)·C^(−α/2), so η = α/2, a = A·6^η, b = B·6^η. Along
/// any line of constant M the loss is a power law in compute with the same exponent η: the scaling
/// exponent is shared between compute-optimal (M ≈ 20) and over-trained runs, which is what lets a few
/// small runs predict a model trained far past the compute-optimal ratio. Read from the `params` and
/// `tokens` columns; E, a and b enter linearly and are solved by least squares in the start search.
public struct OvertrainedLaw: FormulaDefinedLaw {
    /// The law as a compiled formula (exact derivatives by dual numbers).
    public let definition: FormulaLaw

    public init() {
        definition = try! FormulaLaw("E + (6*N*D)^(-eta)*(a*(D/N)^eta + b*(D/N)^(-eta))", columns: [], bounds: [:], aliases: [:],
                               positive: ["E", "a", "b", "eta"],
                               summaries: ["E": "irreducible loss",
                                           "a": "weight of the over-training term a·M^eta (penalises large M = D/N)",
                                           "b": "weight of the under-training term b·M^-eta",
                                           "eta": "compute exponent, shared by every token multiplier M"],
                               order: ["E", "a", "b", "eta"])
    }

    public var name: String { "overtrained" }
    public var formula: String { "L = E + (a*M^eta + b*M^-eta) * C^-eta, M = D/N, C = 6*N*D" }


    /// η on a log grid from 0.01 to 1.5 (Chinchilla's α/2 ≈ 0.17); E, a, b by least squares.
    public func startGrid(_ x: Inputs, response y: [Double]) -> [[Double]] {
        geometricGrid(0.01, 1.5, count: 60).map { [0, 0, 0, $0] }
    }

    /// The token multiplier M* = D/N that minimises the loss at fixed compute: ∂L/∂M = 0 gives
    /// M* = (b/a)^(1/(2η)), the compute-optimal ratio.
    public func derivedQuantities(_ t: [Double]) -> [DerivedQuantity] {
        [DerivedQuantity("M_opt", pow(t[2] / t[1], 1 / (2 * t[3])), summary: "compute-optimal tokens per parameter, (b/a)^(1/(2 eta))")]
    }
}
