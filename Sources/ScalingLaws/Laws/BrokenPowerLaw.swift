import Foundation

/// Broken neural scaling law (BNSL) with n breaks:
///
///     y = a + b · x^(−c₀) · Πᵢ (1 + (x/dᵢ)^(1/fᵢ))^(−cᵢ·fᵢ)
///
/// Caballero, Gupta, Rish & Krueger 2022, "Broken Neural Scaling Laws" (arXiv:2210.14891), eq. 1. Each
/// break i bends the log–log slope by −cᵢ around x = dᵢ, with sharpness fᵢ. a and b enter linearly
/// and are solved by least squares in the start search; the break locations are placed on a log grid
/// spanning the observed x, so users need not tune starts.
public struct BrokenPowerLaw: FormulaDefinedLaw {
    /// The variable x (a CSV column or params/tokens/flops).
    public let x: String
    /// Number of breaks, 1 to 3.
    public let breaks: Int
    /// The law as a compiled formula (exact derivatives by dual numbers).
    public let definition: FormulaLaw

    /// The broken power law in the variable `x` with `breaks` breaks (Caballero et al. 2022, eq. 1).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` unless 1 ≤ `breaks` ≤ 3.
    public init(x: String = Variable.flops, breaks: Int = 1) throws(ScalingLawsError) {
        guard (1...3).contains(breaks) else {
            throw .invalidOption(option: .breaks, message: "expected 1, 2 or 3 breaks, got \(breaks)")
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
        definition = try FormulaLaw(text, columns: [], bounds: [:], aliases: ["x": x], positive: positive,
                              summaries: summaries, order: order)
    }

    public var name: String { "bnsl" }
    public var formula: String { "y = " + substitute(definition.text, x: Variable.symbol(x)) }
    public var configuration: [String: String] { ["x": x, "breaks": String(breaks)] }


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
