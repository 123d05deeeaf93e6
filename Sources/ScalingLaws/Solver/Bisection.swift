/// The sign change of a continuous function on a bracket, by bisection.
///
/// Used by the planners for one-dimensional optima of functions that are convex in ln N: the minimum
/// is the zero of the derivative, and bisection on its sign halves the bracket every step, so after at
/// most 200 steps the bracket is one ulp wide. That is exact to machine precision, where golden-section
/// search on the function values stops at about √ε relative.
enum Bisection {
    /// The point where `f` changes sign in [`low`, `high`], given f(low) < 0 ≤ f(high): the bracket is
    /// halved until its midpoint equals an end (adjacent floating-point numbers) or `f` is exactly 0.
    static func signChange(_ low: Double, _ high: Double, _ f: (Double) -> Double) -> Double {
        var lo = low, hi = high
        for _ in 0..<200 {
            let mid = lo + (hi - lo) / 2
            if mid <= lo || mid >= hi { break }
            let value = f(mid)
            if value == 0 { return mid }
            if value < 0 { lo = mid } else { hi = mid }
        }
        return lo + (hi - lo) / 2
    }
}
