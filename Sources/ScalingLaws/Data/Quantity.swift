/// Parses numbers as researchers write them: `5.88e23`, `70B`, `1.4T`, `400M`, `125k`, `1.5G`.
///
/// Suffixes (case-insensitive): K = 10³, M = 10⁶, B or G = 10⁹, T = 10¹², P = 10¹⁵. Underscores between
/// digits are ignored (`1_000_000`); surrounding blanks are trimmed. Returns nil for anything else,
/// including NaN, infinities and hexadecimal.
public func parseQuantity(_ text: String) -> Double? {
    var bytes = Array(text.utf8)
    while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
    var start = 0
    while start < bytes.count, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
    bytes = bytes[start...].filter { $0 != UInt8(ascii: "_") }
    guard let last = bytes.last else { return nil }
    let multiplier: Double
    switch last | 0x20 {  // ASCII lower case
    case UInt8(ascii: "k"): multiplier = 1e3
    case UInt8(ascii: "m"): multiplier = 1e6
    case UInt8(ascii: "b"), UInt8(ascii: "g"): multiplier = 1e9
    case UInt8(ascii: "t"): multiplier = 1e12
    case UInt8(ascii: "p"): multiplier = 1e15
    default: multiplier = 1
    }
    if multiplier != 1 { bytes.removeLast() }
    // Only decimal notation: digits, one point, optional exponent, optional sign.
    // (Tested byte by byte: a Set built here, per number, cost more than the rest of reading a file.)
    func allowed(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
            || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }
    guard !bytes.isEmpty, bytes.allSatisfy(allowed),
          let value = Double(String(decoding: bytes, as: UTF8.self)) else { return nil }
    let result = value * multiplier
    return result.isFinite ? result : nil
}
