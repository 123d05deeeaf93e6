/// Constraints on a law's parameters: values held fixed, parameters tied equal, and bounds.
public struct ParameterConstraints: Sendable, Hashable, Codable {
    /// Parameters held at fixed values, e.g. `["E": 1.69]`.
    public var fixed: [String: Double]
    /// Parameters tied to another: `["beta": "alpha"]` makes β = α.
    public var ties: [String: String]
    /// Bounds (inclusive lower, upper; ±∞ for none). A law's positive parameters get (0, ∞) unless given.
    public var bounds: [String: ClosedBounds]
    /// Start values, e.g. `["alpha": 0.3]`, used by the start search in place of the grid for these parameters.
    public var initial: [String: Double]

    /// Constraints by parameter name: values held, followers tied to leaders, bounds and start values.
    public init(fixed: [String: Double] = [:], ties: [String: String] = [:], bounds: [String: ClosedBounds] = [:],
                initial: [String: Double] = [:]) {
        self.fixed = fixed
        self.ties = ties
        self.bounds = bounds
        self.initial = initial
    }

    /// Parses `alpha=beta` (β follows α).
    public static func parseTie(_ text: String) throws(ScalingLawsError) -> (leader: String, follower: String) {
        let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0] != parts[1] else {
            throw .invalidOption(option: .ties, message: "expected two parameter names, e.g. alpha=beta, got \"\(text)\"")
        }
        return (parts[0], parts[1])
    }
}

/// A closed interval of allowed values; either end may be infinite.
public struct ClosedBounds: Sendable, Hashable, Codable {
    /// The lower bound (−∞ for none).
    public var lower: Double
    /// The upper bound (+∞ for none).
    public var upper: Double

    /// The bounds lower ≤ θ ≤ upper.
    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// Parses `lo:hi` with either side possibly empty or `inf`, e.g. `0:1`, `0:`, `:2`, `-inf:5`.
    public init(parsing text: String, name: String) throws(ScalingLawsError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func bound(_ s: String, _ infinity: Double) -> Double? {
            if s.isEmpty { return infinity }
            switch s.lowercased() {
            case "inf", "+inf": return .infinity
            case "-inf": return -.infinity
            default: return Double(s)
            }
        }
        guard parts.count == 2, let lo = bound(parts[0], -.infinity), let hi = bound(parts[1], .infinity), lo < hi else {
            throw .invalidOption(option: .bounds, message: "\(name): expected lo:hi with lo < hi (either side may be empty or inf), got \"\(text)\"")
        }
        self.init(lo, hi)
    }

    func contains(_ x: Double) -> Bool { lower <= x && x <= upper }
}
