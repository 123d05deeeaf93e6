import Foundation

/// A closed interval [low, high]; encoded in JSON as a two-element array.
public struct Interval: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Lower end.
    public var low: Double
    /// Upper end.
    public var high: Double

    /// The interval [low, high].
    public init(_ low: Double, _ high: Double) {
        self.low = low
        self.high = high
    }

    /// Whether `x` lies in the interval.
    public func contains(_ x: Double) -> Bool { low <= x && x <= high }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        low = try c.decode(Double.self)
        high = try c.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(low)
        try c.encode(high)
    }

    /// The interval as `[low, high]` to six significant digits.
    public var description: String { "[\(String(format: "%.6g", low)), \(String(format: "%.6g", high))]" }
}

/// A derived number with its uncertainty.
public struct Estimate: Sendable, Hashable {
    /// The value at the fitted parameters.
    public var value: Double
    /// Standard error (delta method, or the bootstrap standard deviation).
    public var standardError: Double
    /// Interval at the uncertainty's level.
    public var interval: Interval
    /// Standard deviation on the scale intervals are built on: of ln(value) for positive quantities,
    /// of the value itself otherwise.
    public var scaleStandardDeviation: Double
}
