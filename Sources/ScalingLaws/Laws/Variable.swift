/// The names under which laws refer to the standard run variables.
public enum Variable {
    /// Model parameters N.
    public static let params = "params"
    /// Training tokens D.
    public static let tokens = "tokens"
    /// Training compute C (FLOPs).
    public static let flops = "flops"

    /// The standard variables, in display order.
    public static let standard = [params, tokens, flops]

    /// Short symbol used in formulas: N, D, C, or the column name itself.
    public static func symbol(_ variable: String) -> String {
        switch variable {
        case params: return "N"
        case tokens: return "D"
        case flops: return "C"
        default: return variable
        }
    }
}

/// Values evenly spaced in log scale from `low` to `high` inclusive.
func geometricGrid(_ low: Double, _ high: Double, count: Int) -> [Double] {
    precondition(count >= 2 && low > 0 && high > low)
    let a = Foundation.log(low), b = Foundation.log(high)
    return (0..<count).map { Foundation.exp(a + (b - a) * Double($0) / Double(count - 1)) }
}

/// `text` with the variable named `x` (a whole word) replaced by `name`.
func substitute(_ text: String, x name: String) -> String {
    text.replacingOccurrences(of: "\\bx\\b", with: name, options: .regularExpression)
}

import Foundation
