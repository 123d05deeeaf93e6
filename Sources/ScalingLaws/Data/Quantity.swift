import CScalingSupport

/// Parses numbers as researchers write them: `5.88e23`, `70B`, `1.4T`, `400M`, `125k`, `1.5G`.
///
/// Suffixes (case-insensitive): K = 10³, M = 10⁶, B or G = 10⁹, T = 10¹², P = 10¹⁵. Underscores between
/// digits are ignored (`1_000_000`); surrounding blanks are trimmed. Returns nil for anything else,
/// including NaN, infinities and hexadecimal.
public func parseQuantity(_ text: String) -> Double? {
    var text = text
    return text.withUTF8 { parseQuantity(bytes: $0) }
}

/// ``parseQuantity(_:)`` on UTF-8 bytes (a CSV field as read), without making a `String`: same grammar,
/// same results to the last bit.
///
/// Plain decimal numbers of up to 19 digits whose digits form an integer exact in double precision (at
/// most 2^53) times or over an exact power of ten (10^0 … 10^22, Clinger's fast path) are computed
/// directly with one correctly rounded operation; every other number goes to C's `strtod` (the reader behind
/// `Double(String)`), so the result is the correctly rounded double either way.
public func parseQuantity(bytes: UnsafeBufferPointer<UInt8>) -> Double? {
    guard let base = bytes.baseAddress else { return nil }
    var lo = 0, hi = bytes.count
    while hi > lo && (base[hi - 1] == 0x20 || base[hi - 1] == 0x09) { hi -= 1 }
    while lo < hi && (base[lo] == 0x20 || base[lo] == 0x09) { lo += 1 }
    guard lo < hi else { return nil }
    if let value = quantity(base, lo, hi) { return value }
    // Underscores may stand anywhere (they are dropped before the suffix is read), and only a text that
    // fails as it is can hold one: read a copy without them.
    var i = lo
    while i < hi && base[i] != 0x5F { i += 1 }
    guard i < hi else { return nil }
    var copy = [UInt8]()
    copy.reserveCapacity(hi - lo)
    for j in lo..<hi where base[j] != 0x5F { copy.append(base[j]) }
    return copy.withUnsafeBufferPointer { quantity($0.baseAddress, 0, $0.count) }
}

/// A quantity in `base[lo..<hi]`: trimmed, without underscores, maybe ending in a unit suffix.
@inline(__always)
private func quantity(_ base: UnsafePointer<UInt8>?, _ lo: Int, _ hi: Int) -> Double? {
    guard let base, lo < hi else { return nil }
    var hi = hi
    let multiplier: Double
    switch base[hi - 1] | 0x20 {  // ASCII lower case
    case UInt8(ascii: "k"): multiplier = 1e3
    case UInt8(ascii: "m"): multiplier = 1e6
    case UInt8(ascii: "b"), UInt8(ascii: "g"): multiplier = 1e9
    case UInt8(ascii: "t"): multiplier = 1e12
    case UInt8(ascii: "p"): multiplier = 1e15
    default: multiplier = 1
    }
    if multiplier != 1 { hi -= 1 }
    guard lo < hi, let value = decimal(base, lo, hi) else { return nil }
    let result = value * multiplier
    return result.isFinite ? result : nil
}

/// Exact powers of ten, 10⁰ … 10²².
private let exactPowersOfTen: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13,
                                          1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/// A decimal number in `base[lo..<hi]` (non-empty): `[+-]digits[.digits][(e|E)[+-]digits]` with at least
/// one mantissa digit, as C's `strtod` reads decimal notation; nil for anything else.
@inline(__always)
private func decimal(_ base: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int) -> Double? {
    var i = lo
    let negative = base[i] == UInt8(ascii: "-")
    if negative || base[i] == UInt8(ascii: "+") { i += 1 }
    // Up to 19 digits (leading zeros included) fit in 64 bits.
    var mantissa: UInt64 = 0
    let integerStart = i
    while i < hi, case let d = base[i] &- 0x30, d < 10 {
        mantissa = mantissa &* 10 &+ UInt64(d)
        i += 1
    }
    var digits = i - integerStart
    var fraction = 0
    if i < hi && base[i] == UInt8(ascii: ".") {
        i += 1
        let fractionStart = i
        while i < hi, case let d = base[i] &- 0x30, d < 10 {
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        fraction = i - fractionStart
        digits += fraction
    }
    guard digits > 0 else { return nil }
    var exponent = 0
    if i < hi {
        guard base[i] | 0x20 == UInt8(ascii: "e") else { return nil }
        i += 1
        var exponentNegative = false
        if i < hi && (base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+")) {
            exponentNegative = base[i] == UInt8(ascii: "-")
            i += 1
        }
        let start = i
        while i < hi, case let d = base[i] &- 0x30, d < 10 {
            if exponent < 100_000 { exponent = exponent * 10 + Int(d) }
            i += 1
        }
        guard i > start, i == hi else { return nil }
        if exponentNegative { exponent = -exponent }
    }
    if digits <= 19 {
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        let power = exponent - fraction
        if mantissa <= 1 << 53 && power >= -22 && power <= 22 {
            let m = Double(mantissa)
            let value = power < 0 ? m / exactPowersOfTen[-power] : m * exactPowersOfTen[power]
            return negative ? -value : value
        }
    }
    // Not exact in one operation (more than 19 digits, a mantissa above 2^53, a large exponent): the
    // text is valid decimal notation, so strtod reads all of it.
    var value = 0.0
    guard scaling_strtod(base + lo, hi - lo, &value) != 0 else { return nil }
    return value
}
