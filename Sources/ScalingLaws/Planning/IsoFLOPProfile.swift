import Foundation

/// The minimum of one FLOP budget's loss profile against x = ln N, found by one of four methods.
///
/// - ``Method/spline``: an Akima spline (Akima 1970, J. ACM 17:589) through ln L against ln N
///   (losses of repeated sizes averaged in ln L), minimised exactly over the sampled range — the limit of
///   the fine-grid argmin of Porian et al. 2024 ("Resolving Discrepancies in Compute-Optimal Scaling of
///   Language Models", arXiv:2406.19146). Local: each piece of the spline depends on the nearest points
///   only, so points far above the optimum do not move it.
/// - ``Method/window`` (default): a parabola in ln N through ln L of the lowest point and up to three
///   sampled sizes on each side of it; local, and steadier than the spline under noise.
/// - ``Method/parabola``: one parabola L ≈ c₀ + c₁u + c₂u² (u = ln N − ū) through every run of the budget
///   (Hoffmann et al. 2022, arXiv:2203.15556, Approach 2), minimum at u* = −c₁/(2c₂). Global: on a
///   profile sampled lopsidedly (more points on one side) over 1–3 decades of N the loss is not a
///   quadratic in ln N, and the vertex moves towards the heavier side.
/// - ``Method/cubic``: the same with a cubic term; the minimum is the root of c₁ + 2c₂u + 3c₃u² with a
///   positive second derivative (roots by Numerical Recipes §5.6).
///
/// A minimum is trusted only inside the sampled sizes: when the spline's or the window's lowest point
/// is the smallest or largest size sampled, or a polynomial's vertex lies outside them, the budget has
/// no interior minimum and is skipped (``Failure``).
public enum IsoFLOPProfile {
    /// How a budget's minimum is found.
    public enum Method: String, Sendable, Hashable, Codable, CaseIterable {
        /// Akima spline of ln L on ln N, exact argmin (Porian et al. 2024).
        case spline
        /// Parabola in ln N through ln L of the lowest point and up to three sizes either side.
        case window
        /// One parabola in ln N through all runs (Hoffmann et al. 2022).
        case parabola
        /// One cubic in ln N through all runs.
        case cubic

        /// Distinct sizes (and runs) the method needs.
        var sizesNeeded: Int { self == .cubic ? 4 : 3 }
        /// Whether the method fits one polynomial through every run (rather than a local model).
        var isGlobal: Bool { self == .parabola || self == .cubic }
    }

    /// The minimum of one budget's profile.
    public struct Minimum: Sendable, Hashable {
        /// ln N* at the minimum.
        public var logParams: Double
        /// The profile's loss at the minimum, L*.
        public var loss: Double
        /// d²L/d(ln N)² at the minimum (positive, or 0 where a spline's minimum sits on a knot).
        public var curvature: Double
        /// The fitted profile over the range it describes, for plots: ln N and the loss.
        public var curve: [Double] = []
        /// The profile's loss at each of ``curve``'s ln N.
        public var curveLosses: [Double] = []
    }

    /// Why a budget has no usable minimum.
    public enum Failure: Error, Sendable, Hashable {
        /// Fewer runs than the method needs.
        case tooFewRuns(found: Int, needed: Int)
        /// Fewer distinct model sizes than the method needs.
        case tooFewSizes(found: Int, needed: Int)
        /// The polynomial has no local minimum; `curvature` is 2c₂ of the fit.
        case noMinimum(curvature: Double)
        /// A polynomial's minimum lies at ln N = `logParams`, outside the sampled sizes.
        case outside(logParams: Double)
        /// The lowest point of a local method is the smallest or largest size sampled, ln N = `logParams`.
        case edge(logParams: Double)

        /// What went wrong and what to do, given the budget's sampled sizes.
        func reason(method: Method, sampled: ClosedRange<Double>) -> String {
            let name = "fitted \(method.rawValue)"
            let range = "\(formatQuantity(sampled.lowerBound))–\(formatQuantity(sampled.upperBound))"
            let needs = method.isGlobal ? "a \(method.rawValue)" : "the \(method.rawValue) minimum"
            switch self {
            case let .tooFewRuns(found, needed):
                return "\(found) run\(found == 1 ? "" : "s"), \(needs) needs at least \(needed); add runs of other sizes at this budget"
            case let .tooFewSizes(found, needed):
                return "\(found) distinct model size\(found == 1 ? "" : "s"), \(needs) needs at least \(needed); add runs of other sizes at this budget"
            case let .noMinimum(curvature):
                return "the \(name) has no minimum (curvature \(formatQuantity(curvature)) in ln N): the loss does not turn up on both sides of the sampled sizes \(range); add smaller and larger models"
            case let .outside(logParams):
                let n = exp(logParams)
                let below = n < sampled.lowerBound
                return "the \(name)'s minimum at N = \(formatQuantity(n)) lies \(below ? "below" : "above") the sampled sizes \(range); \(below ? "add smaller models" : "add larger models")"
            case let .edge(logParams):
                let n = exp(logParams)
                let low = n <= sampled.lowerBound * (1 + 1e-12)
                return "the lowest loss is at the \(low ? "smallest" : "largest") size sampled, N = \(formatQuantity(n)) (sampled \(range)): the minimum is on the edge, not inside; \(low ? "add smaller models" : "add larger models")"
            }
        }
    }

    /// The minimum of the profile through (ln N, loss) pairs by `method`, or why there is none.
    public static func minimum(logParams x: [Double], losses y: [Double], method: Method) -> Result<Minimum, Failure> {
        precondition(x.count == y.count, "sizes and losses must pair up")
        let needed = method.sizesNeeded
        guard x.count >= needed else { return .failure(.tooFewRuns(found: x.count, needed: needed)) }
        switch method {
        case .parabola, .cubic:
            return polynomialMinimum(x, y, degree: method == .parabola ? 2 : 3)
        case .spline, .window:
            let (u, v) = averagedLogLosses(x, y)
            guard u.count >= needed else { return .failure(.tooFewSizes(found: u.count, needed: needed)) }
            return method == .spline ? splineMinimum(u, v) : windowMinimum(u, v)
        }
    }

    /// Distinct ln N, increasing, with the mean ln L of the runs at each.
    static func averagedLogLosses(_ x: [Double], _ y: [Double]) -> (x: [Double], logLoss: [Double]) {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var u = [Double](), v = [Double](), counts = [Int]()
        for i in order {
            if let last = u.last, last == x[i] {
                v[v.count - 1] += log(y[i])
                counts[counts.count - 1] += 1
            } else {
                u.append(x[i])
                v.append(log(y[i]))
                counts.append(1)
            }
        }
        return (u, zip(v, counts).map { $0 / Double($1) })
    }

    // MARK: Akima spline

    /// Node derivatives of the Akima spline through (x, y), x increasing, at least 3 points; the two
    /// missing slopes at each end are extrapolated linearly (Akima 1970, as scipy's Akima1DInterpolator).
    static func akimaDerivatives(_ x: [Double], _ y: [Double]) -> [Double] {
        let n = x.count
        var m = [Double](repeating: 0, count: n + 3)
        for i in 0..<(n - 1) { m[i + 2] = (y[i + 1] - y[i]) / (x[i + 1] - x[i]) }
        m[1] = 2 * m[2] - m[3]
        m[0] = 2 * m[1] - m[2]
        m[n + 1] = 2 * m[n] - m[n - 1]
        m[n + 2] = 2 * m[n + 1] - m[n]
        return (0..<n).map { i in
            let w1 = abs(m[i + 3] - m[i + 2]), w2 = abs(m[i + 1] - m[i])
            let scale = max(abs(m[i + 1]), abs(m[i + 2]), 1e-300)
            return w1 + w2 <= 1e-12 * scale ? (m[i + 1] + m[i + 2]) / 2 : (w1 * m[i + 1] + w2 * m[i + 2]) / (w1 + w2)
        }
    }

    /// The cubic of segment i, p(s) = y_i + t_i·s + c₂s² + c₃s³ for s in [0, h].
    private static func segment(_ x: [Double], _ y: [Double], _ t: [Double], _ i: Int) -> (h: Double, c: [Double]) {
        let h = x[i + 1] - x[i]
        let slope = (y[i + 1] - y[i]) / h
        return (h, [y[i], t[i], (3 * slope - 2 * t[i] - t[i + 1]) / h, (t[i] + t[i + 1] - 2 * slope) / (h * h)])
    }

    static func splineMinimum(_ x: [Double], _ y: [Double]) -> Result<Minimum, Failure> {
        let n = x.count
        let t = akimaDerivatives(x, y)
        // Candidates: every knot, and every interior turning point of a segment that is a minimum.
        var best = (value: y[0], logParams: x[0], curvature: 0.0, knot: 0 as Int?)
        for i in 0..<n where y[i] < best.value { best = (y[i], x[i], 0, i) }
        for i in 0..<(n - 1) {
            let (h, c) = segment(x, y, t, i)
            let a = 3 * c[3], b = 2 * c[2], k = c[1]
            var roots = [Double]()
            if abs(a) < 1e-300 {
                if b != 0 { roots = [-k / b] }
            } else {
                let disc = b * b - 4 * a * k
                if disc >= 0 {
                    let q = -(b + (b >= 0 ? 1 : -1) * disc.squareRoot()) / 2
                    roots = [q / a] + (q != 0 ? [k / q] : [])
                }
            }
            for s in roots where s > 0 && s < h {
                let second = 2 * c[2] + 6 * c[3] * s
                guard second > 0 else { continue }
                let value = c[0] + s * (c[1] + s * (c[2] + s * c[3]))
                if value < best.value { best = (value, x[i] + s, second, nil) }
            }
        }
        if let knot = best.knot {
            if knot == 0 || knot == n - 1 { return .failure(.edge(logParams: x[knot])) }
            // A minimum on a knot: the mean of the second derivatives on either side.
            let left = segment(x, y, t, knot - 1), right = segment(x, y, t, knot)
            best.curvature = max(0, ((2 * left.c[2] + 6 * left.c[3] * left.h) + 2 * right.c[2]) / 2)
        }
        let loss = exp(best.value)
        var curve = [Double](), curveLosses = [Double]()
        for i in 0..<(n - 1) {
            let (h, c) = segment(x, y, t, i)
            for j in 0..<8 {
                let s = h * Double(j) / 8
                curve.append(x[i] + s)
                curveLosses.append(exp(c[0] + s * (c[1] + s * (c[2] + s * c[3]))))
            }
        }
        curve.append(x[n - 1])
        curveLosses.append(exp(y[n - 1]))
        // d²L/d(ln N)² = L·(d² ln L) at a turning point of ln L.
        return .success(Minimum(logParams: best.logParams, loss: loss, curvature: loss * best.curvature,
                                curve: curve, curveLosses: curveLosses))
    }

    // MARK: Window

    /// Sizes on each side of the lowest point in a ``Method/window`` fit.
    static let windowHalfWidth = 3

    static func windowMinimum(_ x: [Double], _ y: [Double]) -> Result<Minimum, Failure> {
        let n = x.count
        let lowest = y.indices.min { y[$0] < y[$1] }!
        if lowest == 0 || lowest == n - 1 { return .failure(.edge(logParams: x[lowest])) }
        let lo = max(0, lowest - windowHalfWidth), hi = min(n - 1, lowest + windowHalfWidth)
        let u = Array(x[lo...hi]), v = Array(y[lo...hi])
        let center = u.reduce(0, +) / Double(u.count)
        guard let c = polynomial(u.map { $0 - center }, v, degree: 2) else {
            return .failure(.tooFewSizes(found: u.count, needed: 3))
        }
        guard c[2] > 0 else { return .failure(.noMinimum(curvature: 2 * c[2])) }
        let turning = -c[1] / (2 * c[2])
        let logParams = center + turning
        guard logParams >= x[0], logParams <= x[n - 1] else { return .failure(.outside(logParams: logParams)) }
        let loss = exp(c[0] + c[1] * turning + c[2] * turning * turning)
        let grid = (0...24).map { u[0] + (u[u.count - 1] - u[0]) * Double($0) / 24 }
        return .success(Minimum(logParams: logParams, loss: loss, curvature: loss * 2 * c[2], curve: grid,
                                curveLosses: grid.map { g in let s = g - center; return exp(c[0] + c[1] * s + c[2] * s * s) }))
    }

    // MARK: Global polynomials

    /// Least-squares coefficients c₀ … c_degree of a polynomial in `u` (LAPACK `dgelsd`), nil when rank deficient.
    static func polynomial(_ u: [Double], _ y: [Double], degree: Int) -> [Double]? {
        let design = Matrix(columns: (0...degree).map { p in u.map { pow($0, Double(p)) } })
        guard let solution = try? LeastSquares.solveSVD(design, y), solution.rank == degree + 1 else { return nil }
        return solution.x
    }

    static func polynomialMinimum(_ x: [Double], _ y: [Double], degree: Int) -> Result<Minimum, Failure> {
        let needed = degree + 1
        let distinct = Set(x).count
        guard distinct >= needed else { return .failure(.tooFewSizes(found: distinct, needed: needed)) }
        let center = x.reduce(0, +) / Double(x.count)
        guard let c = polynomial(x.map { $0 - center }, y, degree: degree) else {
            return .failure(.tooFewSizes(found: distinct, needed: needed))
        }
        let turning: Double
        let curvature: Double
        if degree == 2 {
            guard c[2] > 0 else { return .failure(.noMinimum(curvature: 2 * c[2])) }
            turning = -c[1] / (2 * c[2])
            curvature = 2 * c[2]
        } else {
            guard let root = cubicMinimum(c) else { return .failure(.noMinimum(curvature: 2 * c[2])) }
            turning = root
            curvature = 2 * c[2] + 6 * c[3] * root
        }
        let logParams = center + turning
        guard let lo = x.min(), let hi = x.max(), logParams >= lo, logParams <= hi else {
            return .failure(.outside(logParams: logParams))
        }
        func value(_ s: Double) -> Double { c.enumerated().reduce(0) { $0 + $1.element * pow(s, Double($1.offset)) } }
        let grid = (0...24).map { lo + (hi - lo) * Double($0) / 24 }
        return .success(Minimum(logParams: logParams, loss: value(turning), curvature: curvature,
                                curve: grid, curveLosses: grid.map { value($0 - center) }))
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

/// An isoFLOP budget that gives no optimum, and why.
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
