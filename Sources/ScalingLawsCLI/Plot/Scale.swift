import Foundation

/// One axis: maps data values to pixels on a linear or logarithmic scale, and chooses its ticks.
struct Scale: Sendable {
    enum Kind: Sendable { case linear, log }

    var kind: Kind
    /// Data range shown (positive for log scales).
    var domain: ClosedRange<Double>
    /// Pixel range: `lower` maps to `range.0`, `upper` to `range.1`.
    var range: (Double, Double)
    /// Formats tick labels.
    var label: @Sendable (Double) -> String

    /// A scale covering `values` with a margin of `padding` (a fraction of the span, in log space for log
    /// scales); a degenerate span is widened.
    init(_ kind: Kind, covering values: [Double], range: (Double, Double), padding: Double = 0.05,
         label: @escaping @Sendable (Double) -> String) {
        self.kind = kind
        self.range = range
        self.label = label
        let usable = values.filter { $0.isFinite && (kind == .linear || $0 > 0) }
        let t = usable.map { kind == .log ? log10($0) : $0 }
        var low = t.min() ?? 0, high = t.max() ?? 1
        if high - low < 1e-12 {
            let widen = kind == .log ? 0.5 : max(abs(low) * 0.1, 1)
            low -= widen
            high += widen
        }
        let pad = (high - low) * padding
        low -= pad
        high += pad
        domain = kind == .log ? pow(10, low)...pow(10, high) : low...high
    }

    private func transform(_ v: Double) -> Double { kind == .log ? log10(v) : v }

    /// The pixel position of `v`.
    func callAsFunction(_ v: Double) -> Double {
        let a = transform(domain.lowerBound), b = transform(domain.upperBound)
        return range.0 + (transform(v) - a) / (b - a) * (range.1 - range.0)
    }

    /// True for values the scale can place: finite, and positive on a log scale.
    func canPlace(_ v: Double) -> Bool { v.isFinite && (kind == .linear || v > 0) }

    /// True for values inside the domain shown.
    func contains(_ v: Double) -> Bool { canPlace(v) && domain.contains(v) }

    /// Labelled ticks: decades on a log scale spanning at least one decade (with 2…9 as minor ticks);
    /// on a log scale with exactly one decade inside, 1-2-5 (or 1…9) times powers of ten, so the axis is
    /// labelled on both sides of that decade; otherwise 1-2-5 steps.
    func ticks() -> (major: [Double], minor: [Double]) {
        let lo = domain.lowerBound, hi = domain.upperBound
        if kind == .log {
            let first = Int(floor(log10(lo))), last = Int(ceil(log10(hi)))
            let decades = (first...last).map { pow(10, Double($0)) }.filter { $0 >= lo && $0 <= hi }
            if decades.count >= 2 {
                let step = max(1, (decades.count + 6) / 7)
                let major = decades.enumerated().filter { $0.offset % step == 0 }.map(\.element)
                var minor = [Double]()
                for e in first...last {
                    let decade = pow(10, Double(e))
                    if step == 1 { minor += (2...9).map { Double($0) * decade } }
                    else if !major.contains(decade) { minor.append(decade) }
                }
                return (major, minor.filter { $0 >= lo && $0 <= hi })
            }
            // One decade inside: linear steps would label only one side of it (1B, 2B, 3B but no 500M).
            for mantissas in [[1.0, 2, 5], [1.0, 2, 3, 4, 5, 6, 7, 8, 9]] where decades.count == 1 {
                let major = (first...last).flatMap { e in mantissas.map { $0 * pow(10, Double(e)) } }.filter { $0 >= lo && $0 <= hi }
                if major.count >= 3 {
                    let minor = (first...last).flatMap { e in (1...9).map { Double($0) * pow(10, Double(e)) } }
                        .filter { $0 >= lo && $0 <= hi && !major.contains($0) }
                    return (major, minor)
                }
            }
        }
        return (Self.niceSteps(lo, hi, count: 6), [])
    }

    /// Round values (1, 2 or 5 × 10^k apart) between `lo` and `hi`.
    static func niceSteps(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        let raw = (hi - lo) / Double(max(count, 1))
        guard raw > 0, raw.isFinite else { return [lo] }
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var v = ceil(lo / step) * step
        var out = [Double]()
        while v <= hi + step * 1e-9 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }
}

/// Tick labels.
enum TickLabel {
    /// Counts with suffixes: 70M, 1B, 10T.
    static let count: @Sendable (Double) -> String = { Units.count($0, digits: 3) }
    /// FLOPs: 1e21.
    static let flops: @Sendable (Double) -> String = { Units.flops($0, digits: 3) }
    /// Plain numbers: 2.5, 3.
    static let plain: @Sendable (Double) -> String = {
        abs($0) >= 1e5 ? Units.flops($0, digits: 3) : String(format: "%g", ($0 * 1e6).rounded() / 1e6)
    }
    /// Percentages of a fraction: 0.02 → 2%.
    static let percent: @Sendable (Double) -> String = { String(format: "%g%%", ($0 * 1e6).rounded() / 1e4) }

    /// The label format suited to a run variable.
    static func forVariable(_ name: String) -> @Sendable (Double) -> String {
        name == "flops" ? flops : (name == "params" || name == "tokens" ? count : plain)
    }
}
