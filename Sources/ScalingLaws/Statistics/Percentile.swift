/// A two-sided interval [lower, upper].
public struct Interval: Sendable, Hashable, Codable {
    public var lower: Double
    public var upper: Double

    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// Whether `value` lies in [lower, upper].
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }
}

/// Percentiles of a sample and bootstrap percentile intervals.
public enum Percentile {
    /// The `p`-quantile (0 ≤ p ≤ 1) of `values` by linear interpolation between order statistics
    /// (Hyndman & Fan 1996, definition 7, the default of R and NumPy): h = (n − 1)·p,
    /// Q = x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎) on the sorted sample. Nil for an empty sample.
    public static func quantile(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty, p >= 0, p <= 1 else { return nil }
        let sorted = values.sorted()
        let h = Double(sorted.count - 1) * p
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }

    /// The central `level` percentile interval of `values` (Efron & Tibshirani 1993, §13.3): the
    /// (1 − level)/2 and (1 + level)/2 quantiles. Nil for an empty sample.
    public static func interval(_ values: [Double], level: Double) -> Interval? {
        guard let lo = quantile(values, (1 - level) / 2), let hi = quantile(values, (1 + level) / 2) else { return nil }
        return Interval(lower: lo, upper: hi)
    }
}
