import Foundation

/// One-dimensional minimisation for allocation problems (the optimal N along an iso-FLOP or iso-data
/// curve), where no closed form exists.
enum ScalarMinimizer {
    /// Minimises `f` on [lo, hi]: a scan of `samples` points brackets the lowest value, then golden-section
    /// search (Kiefer 1953) narrows the bracket to `tolerance` (absolute, in the argument).
    static func minimize(_ f: (Double) -> Double, lo: Double, hi: Double, samples: Int = 200,
                         tolerance: Double = 1e-12) -> (x: Double, value: Double) {
        var bestIndex = 0
        var bestValue = Double.infinity
        let step = (hi - lo) / Double(samples - 1)
        for i in 0..<samples {
            let v = f(lo + Double(i) * step)
            if v < bestValue { bestValue = v; bestIndex = i }
        }
        var a = lo + Double(max(bestIndex - 1, 0)) * step
        var b = lo + Double(min(bestIndex + 1, samples - 1)) * step
        let ratio = (5.0.squareRoot() - 1) / 2
        var c = b - ratio * (b - a), d = a + ratio * (b - a)
        var fc = f(c), fd = f(d)
        while b - a > tolerance * max(1, abs(a) + abs(b)) {
            if fc < fd {
                b = d; d = c; fd = fc
                c = b - ratio * (b - a); fc = f(c)
            } else {
                a = c; c = d; fc = fd
                d = a + ratio * (b - a); fd = f(d)
            }
        }
        let x = (a + b) / 2
        return (x, f(x))
    }
}
