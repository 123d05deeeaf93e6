import Foundation

/// The loss of the runs of one FLOP budget against x = ln N, fitted by a low-order polynomial, and
/// its minimum: Hoffmann et al. 2022 (arXiv:2203.15556), Approach 2, "IsoFLOP profiles".
///
/// Parabola: L ≈ c₀ + c₁u + c₂u², u = ln N − ū (centred for conditioning), solved by LAPACK least
/// squares (`dgelsd`). The minimum is the vertex u* = −c₁/(2c₂), which exists only when c₂ > 0; the
/// curvature reported is d²L/d(ln N)² = 2c₂. Cubic (optional): L ≈ c₀ + c₁u + c₂u² + c₃u³; the minimum
/// is the root of c₁ + 2c₂u + 3c₃u² = 0 with 2c₂ + 6c₃u > 0, and the curvature is that second
/// derivative there.
///
/// The minimum is trusted only inside the sampled sizes: outside them it is an extrapolation of the
/// polynomial, not a measurement, and the budget is refused.
public enum IsoFLOPProfile {
    /// The polynomial fitted per budget.
    public enum Shape: String, Sendable, Hashable, Codable, CaseIterable {
        /// `parabola`: L ≈ c₀ + c₁u + c₂u² in u = ln N − ū; `cubic`: adds c₃u³.
        case parabola, cubic

        /// Polynomial coefficients, c₀ … c_degree.
        var coefficientCount: Int { self == .parabola ? 3 : 4 }
    }

    /// The minimum of one budget's profile.
    public struct Minimum: Sendable, Hashable {
        /// ln N* at the minimum.
        public var logParams: Double
        /// The profile's loss at the minimum, L*.
        public var loss: Double
        /// d²L/d(ln N)² at the minimum (positive).
        public var curvature: Double
    }

    /// Why a budget has no usable minimum.
    public enum Failure: Error, Sendable, Hashable {
        /// Fewer runs than the polynomial needs.
        case tooFewRuns(found: Int, needed: Int)
        /// Fewer distinct model sizes than coefficients.
        case tooFewSizes(found: Int, needed: Int)
        /// The polynomial has no local minimum (a parabola that opens downward, a cubic without a turning
        /// point that is a minimum); `curvature` is 2c₂ of the fit.
        case noMinimum(curvature: Double)
        /// The minimum lies at ln N = `logParams`, outside the sampled sizes.
        case outside(logParams: Double)

        /// What went wrong and what to do, given the budget's sampled sizes.
        func reason(shape: Shape, sampled: ClosedRange<Double>) -> String {
            let name = "fitted \(shape.rawValue)"
            let range = "\(formatQuantity(sampled.lowerBound))–\(formatQuantity(sampled.upperBound))"
            switch self {
            case let .tooFewRuns(found, needed):
                return "\(found) run\(found == 1 ? "" : "s"), a \(shape.rawValue) needs at least \(needed); add runs of other sizes at this budget"
            case let .tooFewSizes(found, needed):
                return "\(found) distinct model size\(found == 1 ? "" : "s"), a \(shape.rawValue) needs at least \(needed); add runs of other sizes at this budget"
            case let .noMinimum(curvature):
                return "the \(name) has no minimum (curvature \(formatQuantity(curvature)) in ln N): the loss does not turn up on both sides of the sampled sizes \(range); add smaller and larger models"
            case let .outside(logParams):
                let n = exp(logParams)
                let side = n < sampled.lowerBound ? "below" : "above"
                let fix = n < sampled.lowerBound ? "add smaller models" : "add larger models"
                return "the \(name)'s minimum at N = \(formatQuantity(n)) lies \(side) the sampled sizes \(range); \(fix)"
            }
        }
    }

    /// Fits `shape` to (ln N, loss) pairs and returns its minimum, or why there is none.
    public static func minimum(logParams x: [Double], losses y: [Double], shape: Shape) -> Result<Minimum, Failure> {
        precondition(x.count == y.count, "sizes and losses must pair up")
        let needed = shape.coefficientCount
        guard x.count >= needed else { return .failure(.tooFewRuns(found: x.count, needed: needed)) }
        let distinct = Set(x).count
        guard distinct >= needed else { return .failure(.tooFewSizes(found: distinct, needed: needed)) }
        let center = x.reduce(0, +) / Double(x.count)
        let u = x.map { $0 - center }
        let design = Matrix(columns: (0..<needed).map { p in u.map { pow($0, Double(p)) } })
        guard let solution = try? LeastSquares.solveSVD(design, y), solution.rank == needed else {
            return .failure(.tooFewSizes(found: distinct, needed: needed))
        }
        let c = solution.x
        let turning: Double
        let curvature: Double
        switch shape {
        case .parabola:
            guard c[2] > 0 else { return .failure(.noMinimum(curvature: 2 * c[2])) }
            turning = -c[1] / (2 * c[2])
            curvature = 2 * c[2]
        case .cubic:
            guard let root = cubicMinimum(c) else { return .failure(.noMinimum(curvature: 2 * c[2])) }
            turning = root
            curvature = 2 * c[2] + 6 * c[3] * root
        }
        let logParams = center + turning
        guard let lo = x.min(), let hi = x.max(), logParams >= lo, logParams <= hi else {
            return .failure(.outside(logParams: logParams))
        }
        let loss = c.enumerated().reduce(0) { $0 + $1.element * pow(turning, Double($1.offset)) }
        return .success(Minimum(logParams: logParams, loss: loss, curvature: curvature))
    }

    /// The local minimum of c₀ + c₁u + c₂u² + c₃u³: the root of c₁ + 2c₂u + 3c₃u² where the second
    /// derivative 2c₂ + 6c₃u is positive. Roots by the cancellation-free form q = −(b + sgn(b)√Δ)/2,
    /// u = q/a or c/q (Press et al., Numerical Recipes, §5.6).
    private static func cubicMinimum(_ c: [Double]) -> Double? {
        let a = 3 * c[3], b = 2 * c[2], k = c[1]
        if a == 0 { return b > 0 ? -k / b : nil }
        let discriminant = b * b - 4 * a * k
        guard discriminant > 0 else { return nil }
        let q = -(b + (b >= 0 ? 1 : -1) * discriminant.squareRoot()) / 2
        let roots = [q / a, q != 0 ? k / q : -b / a]
        return roots.first { 2 * c[2] + 6 * c[3] * $0 > 0 }
    }
}

/// An isoFLOP budget that cannot give an optimum, and why.
public struct BudgetRefusal: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The budget C.
    public var flops: Double
    /// What is wrong and what to do.
    public var reason: String

    /// A refusal of the budget `flops`, saying why.
    public init(flops: Double, reason: String) {
        self.flops = flops
        self.reason = reason
    }

    /// The refusal in one line: the budget and the reason.
    public var description: String { "budget \(formatQuantity(flops)) FLOPs: \(reason)" }
}

/// A number in four significant digits, e.g. `1e+19`, `3.162e+08`, for messages.
func formatQuantity(_ value: Double) -> String {
    String(format: "%.4g", value)
}
