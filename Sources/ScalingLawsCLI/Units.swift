import Foundation

/// Numbers as researchers write them: 70B parameters, 1.4T tokens, 5.88e23 FLOPs.
///
/// Every string produced here is read back by `parseQuantity` (suffixes k, M, B, T), so a value copied
/// from a table can be pasted into `--params`, `--tokens` or `--flops`.
enum Units {
    /// A count with a suffix and `digits` significant digits: 70M, 1.4B, 125k, 2.5T; e-notation from
    /// 10¹⁵ up and below 1000.
    static func count(_ v: Double?, digits: Int = 4) -> String {
        guard let v, v.isFinite else { return "-" }
        let magnitude = abs(v)
        let suffixes: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        guard magnitude < 1e15 else { return flops(v, digits: digits) }
        for (scale, suffix) in suffixes where magnitude >= scale {
            let scaled = Double(String(format: "%.\(digits)g", v / scale)) ?? v / scale
            // Rounding may carry into the next unit (999.96k → 1000k): go up one unit instead.
            if abs(scaled) >= 1000, scale < 1e12 { return count(scaled * scale, digits: digits) }
            return plain(scaled, digits: digits) + suffix
        }
        return plain(v, digits: digits)
    }

    /// FLOPs in e-notation without padding: 5.88e23, 1e21, 3.2e19.
    static func flops(_ v: Double?, digits: Int = 4) -> String {
        guard let v, v.isFinite else { return "-" }
        guard v != 0 else { return "0" }
        let text = String(format: "%.\(max(digits - 1, 0))e", v)
        guard let e = text.firstIndex(of: "e") else { return text }
        var mantissa = String(text[..<e])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return "\(mantissa)e\(exponent)"
    }

    /// An interval of counts or FLOPs: [61.94B, 88.33B].
    static func interval(_ low: Double?, _ high: Double?, _ format: (Double?) -> String) -> String {
        guard let low, let high, low.isFinite, high.isFinite else { return "-" }
        return "[\(format(low)), \(format(high))]"
    }

    private static func plain(_ v: Double, digits: Int) -> String {
        String(format: "%.\(digits)g", v)
    }
}
