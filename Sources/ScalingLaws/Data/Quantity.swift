/// Parses numbers as researchers write them: `5.88e23`, `70B`, `1.4T`, `400M`, `125k`, `1.5G`.
///
/// Suffixes (case-insensitive): K = 10³, M = 10⁶, B or G = 10⁹, T = 10¹², P = 10¹⁵. Underscores between
/// digits are ignored (`1_000_000`). Returns nil for anything else, including NaN and infinities.
public func parseQuantity(_ text: String) -> Double? {
    var s = Substring(text.trimmingCharacters(in: .whitespaces)).filter { $0 != "_" }
    guard !s.isEmpty else { return nil }
    var multiplier = 1.0
    switch s.last!.lowercased() {
    case "k": multiplier = 1e3
    case "m": multiplier = 1e6
    case "b", "g": multiplier = 1e9
    case "t": multiplier = 1e12
    case "p": multiplier = 1e15
    default: break
    }
    if multiplier != 1 { s.removeLast() }
    // Only decimal notation: digits, one point, optional exponent, optional sign.
    let allowed = Set("0123456789.eE+-")
    guard !s.isEmpty, s.allSatisfy({ allowed.contains($0) }), let value = Double(String(s)) else { return nil }
    let result = value * multiplier
    return result.isFinite ? result : nil
}

import Foundation
