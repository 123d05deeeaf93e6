import Foundation

/// A small, fast, seeded random-number generator (SplitMix64; Steele, Lea & Flood 2014), so that
/// resampling gives identical results on every machine and for every thread schedule.
///
/// Derive independent streams with ``init(seed:stream:)``: replicate b of a bootstrap uses stream b, so
/// its draws do not depend on which core runs it or in which order.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator for `seed`.
    public init(seed: UInt64) { state = seed }

    /// Stream `stream` of `seed`: the seed mixed with the stream index, so streams do not overlap in
    /// practice.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SeededGenerator(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next() ^ stream
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A standard normal draw (Box–Muller).
    public mutating func nextNormal() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniform index in 0..<count.
    public mutating func nextIndex(_ count: Int) -> Int {
        Int.random(in: 0..<count, using: &self)
    }
}
