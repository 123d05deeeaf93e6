/// Ranges of the numeric options, checked before any work so that no value from the command line can
/// trap, overflow or allocate without bound. Each check throws
/// ``ScalingLawsError/invalidOption(option:message:)`` naming the setting and the accepted range.
public enum Limits {
    /// Most bootstrap replicates (``Setting/bootstrap``): 100,000 (percentile intervals settle long before).
    public static let maxReplicates = 100_000
    /// Most points of a grid (``Setting/grid``).
    public static let maxGridPoints = 100_000
    /// Highest confidence level: above it (1 + level)/2 rounds to 1 and the normal quantile is infinite.
    public static let maxLevel = 0.999_999_999

    /// A confidence level strictly between 0 and 1, at most ``maxLevel``.
    public static func checkLevel(_ level: Double, option: Setting = .level) throws(ScalingLawsError) {
        guard level > 0, level <= maxLevel else {
            throw .invalidOption(option: option, message: "expected a confidence level strictly between 0 and 1 (at most \(maxLevel)) such as 0.95, got \(level)")
        }
    }
}
