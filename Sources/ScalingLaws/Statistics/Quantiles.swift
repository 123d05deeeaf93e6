import Foundation

/// Distribution helpers for intervals.
public enum Quantiles {
    /// Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation refined with one Halley
    /// step (relative error below 1e-15 over (0, 1)).
    public static func normal(_ p: Double) -> Double {
        // Φ⁻¹(0) = −∞ and Φ⁻¹(1) = +∞; callers check levels (``Limits/checkLevel(_:option:)``), but a value
        // that rounds to 0 or 1 must not trap.
        guard p > 0 && p < 1 else { return p.isNaN ? .nan : (p <= 0 ? -.infinity : .infinity) }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
                (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log(1 - p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
                ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        // One Halley step on Φ(x) − p.
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// The `p`-quantile of Student's t distribution with `degreesOfFreedom` ν > 0 (ν = ∞ gives the normal).
    ///
    /// Inverts F(t) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t > 0 (Abramowitz & Stegun 26.7.1), with the
    /// regularized incomplete beta function I from its continued fraction (Numerical Recipes, 3rd ed.,
    /// §6.4): Newton steps on F with the t density, from the Cornish–Fisher expansion of t in the normal
    /// quantile (A&S 26.7.5), kept inside a bracket that bisects when a step would leave it. Each F costs a
    /// continued fraction of up to a few hundred terms, so the 4–6 Newton steps replace some 45 bisections.
    /// Accurate to about 1e-12 (1e-10 past ν ≈ 1e5, where F itself holds about 10 digits; the normal
    /// quantile past ν = 1e7); p outside (0, 1) or ν ≤ 0 gives NaN.
    public static func studentT(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        guard p > 0, p < 1, nu > 0, !nu.isNaN else { return .nan }
        if nu.isInfinite || nu > 1e7 { return normal(p) }
        if p == 0.5 { return 0 }
        if p < 0.5 { return -studentT(1 - p, degreesOfFreedom: nu) }
        func cdf(_ t: Double) -> Double { 1 - 0.5 * regularizedBeta(nu / (nu + t * t), nu / 2, 0.5) }
        let lnDensityScale = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi)
        func density(_ t: Double) -> Double { exp(lnDensityScale - (nu + 1) / 2 * log1p(t * t / nu)) }
        let z = normal(p), z2 = z * z
        let cornishFisher = z + z * (z2 + 1) / (4 * nu) + z * ((5 * z2 + 16) * z2 + 3) / (96 * nu * nu)
        var low = 0.0, high = max(1, z)
        while cdf(high) < p && high < 1e300 { low = high; high *= 2 }
        var t = cornishFisher.isFinite && cornishFisher > low && cornishFisher < high ? cornishFisher : 0.5 * (low + high)
        for _ in 0..<200 {
            let f = cdf(t) - p
            if f < 0 { low = t } else { high = t }
            var next = t - f / density(t)
            if !(next > low && next < high) { next = 0.5 * (low + high) }
            let converged = abs(next - t) <= 1e-14 * next || high - low <= 1e-13 * high
            t = next
            if converged { break }
        }
        return t
    }

    /// I_x(a, b), the regularized incomplete beta function.
    static func regularizedBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let lnPowers: Double = a * log(x) + b * log(1 - x)
        let lnFront = lnGammas + lnPowers
        if x < (a + 1) / (a + b + 2) { return exp(lnFront) * betaFraction(x, a, b) / a }
        return 1 - exp(lnFront) * betaFraction(1 - x, b, a) / b
    }

    /// The continued fraction of I_x(a, b) by the modified Lentz method.
    private static func betaFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// Φ(x), the standard normal distribution function.
    public static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// The `p`-quantile of `values` with linear interpolation between order statistics (Hyndman & Fan
    /// 1996, type 7, as numpy's default).
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        percentile(sorted: values.sorted(), p)
    }

    /// ``percentile(_:_:)`` on values already sorted ascending.
    public static func percentile(sorted s: [Double], _ p: Double) -> Double {
        guard !s.isEmpty, !p.isNaN else { return .nan }
        let h = Double(s.count - 1) * min(max(p, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }

    /// The central `level` percentile interval of `values` (Efron & Tibshirani 1993, §13.3): the
    /// (1 − level)/2 and (1 + level)/2 quantiles. Nil for an empty sample.
    public static func interval(_ values: [Double], level: Double) -> Interval? {
        guard !values.isEmpty, level > 0, level < 1 else { return nil }
        let sorted = values.sorted()
        return Interval(percentile(sorted: sorted, (1 - level) / 2), percentile(sorted: sorted, (1 + level) / 2))
    }

    /// Median of `values`.
    public static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    /// The median of `values` and their median absolute deviation from it (unscaled), by selection in one
    /// scratch copy: the same two numbers as ``median(_:)`` of the values and of their absolute
    /// deviations (the same order statistics, the same interpolation), in O(n) and one copy instead of
    /// two sorted ones (a million residuals held 24 MB more at the asymptotic covariance).
    static func medianAndAbsoluteDeviation(_ values: [Double]) -> (median: Double, deviation: Double) {
        var scratch = values
        let m = percentile(selecting: &scratch, 0.5)
        for i in values.indices { scratch[i] = abs(values[i] - m) }
        return (m, percentile(selecting: &scratch, 0.5))
    }

    /// ``percentile(sorted:_:)`` of `values` without sorting them: the two order statistics it reads are
    /// found by selection, reordering `values`.
    static func percentile(selecting values: inout [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let h = Double(values.count - 1) * min(max(p, 0), 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, values.count - 1)
        select(&values, lo)
        let a = values[lo]
        // After selection every value past `lo` is ≥ a: the next order statistic is their least.
        let b = hi > lo ? values[(lo + 1)...].min()! : a
        return a + (h - Double(lo)) * (b - a)
    }

    /// Reorders `a` so that a[k] is its k-th smallest value, smaller ones before it and larger after
    /// (Hoare's selection with a median-of-three pivot; past 2·log₂ n rounds the range left is sorted, so
    /// no input makes it quadratic).
    static func select(_ a: inout [Double], _ k: Int) {
        var lo = 0, hi = a.count - 1
        var rounds = 2 * (Int.bitWidth - a.count.leadingZeroBitCount) + 8
        while hi > lo {
            if rounds == 0 { a[lo...hi].sort(); return }
            rounds -= 1
            let x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi]
            let pivot = max(min(x, y), min(max(x, y), z))
            var i = lo, j = hi
            while i <= j {
                while i <= hi && a[i] < pivot { i += 1 }
                while j >= lo && a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            // a[lo...j] ≤ pivot ≤ a[i...hi], and what lies between equals the pivot.
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }

    /// Sample standard deviation (n − 1 denominator).
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return .nan }
        let mean = values.reduce(0, +) / Double(values.count)
        let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (ss / Double(values.count - 1)).squareRoot()
    }
}
