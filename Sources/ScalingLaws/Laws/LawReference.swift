import Foundation

/// A law at a typical operating point: parameter values (published ones where there are) and inputs
/// spanning the range the law is meant for. Every catalogue law declares one
/// (``LawDescriptor/reference``); the conformance tests check each law there (its Jacobian, its linear
/// parameters, its start grid, and that a fit to its own values recovers them), so a new law is checked
/// as soon as it is in the catalogue.
public struct LawReference: Sendable {
    /// The law as the reference evaluates it (a schedule-aware law bound to the reference schedules).
    public let law: any ScalingLaw
    /// The parameter values, in the order of ``ScalingLaw/parameters``.
    public let parameters: [Double]
    /// The points, one column per variable of ``law``.
    public let inputs: Inputs

    /// A reference at explicit points.
    public init(law: any ScalingLaw, parameters: [Double], inputs: Inputs) {
        self.law = law
        self.parameters = parameters
        self.inputs = inputs
    }

    /// A reference on a grid: for each of the law's variables, the range it spans (sampled geometrically
    /// when the range is positive and wider than a factor 10, evenly otherwise; a variable without a range
    /// is held at 1), crossed with the other variables' samples. `points` is the number of samples per
    /// variable (default 24 for one variable, 6 for two, 4 for more; at least 1: 0 or fewer trapped).
    public static func grid(_ law: any ScalingLaw, parameters: [Double], ranges: [String: ClosedRange<Double>], points: Int? = nil) -> LawReference {
        let variables = law.variables
        let count = max(1, points ?? (variables.count == 1 ? 24 : variables.count == 2 ? 6 : 4))
        let axes = variables.map { ranges[$0] ?? 1...1 }.map { range -> [Double] in
            (0..<count).map { i in
                let t = Double(i) / Double(max(1, count - 1))
                if range.lowerBound > 0 && range.upperBound > 10 * range.lowerBound {
                    return exp(log(range.lowerBound) + t * (log(range.upperBound) - log(range.lowerBound)))
                }
                return range.lowerBound + t * (range.upperBound - range.lowerBound)
            }
        }
        var columns = axes.map { _ in [Double]() }
        var index = [Int](repeating: 0, count: axes.count)
        outer: while true {
            for (v, i) in index.enumerated() { columns[v].append(axes[v][i]) }
            var v = axes.count - 1
            while v >= 0 {
                index[v] += 1
                if index[v] < count { continue outer }
                index[v] = 0
                v -= 1
            }
            break
        }
        return LawReference(law: law, parameters: parameters, inputs: Inputs(columns: columns))
    }

    /// A reference on a ladder of training runs for a law of model size N and tokens D: `sizes` model
    /// sizes crossed with `tokensPerParam` ratios D/N (each sampled geometrically at `points` values).
    public static func ladder(_ law: any ScalingLaw, parameters: [Double], sizes: ClosedRange<Double>,
                              tokensPerParam: ClosedRange<Double>, points: Int = 6) -> LawReference {
        func geometric(_ r: ClosedRange<Double>) -> [Double] {
            (0..<points).map { exp(log(r.lowerBound) + (log(r.upperBound) - log(r.lowerBound)) * Double($0) / Double(max(1, points - 1))) }
        }
        var n = [Double](), d = [Double]()
        for size in geometric(sizes) {
            for ratio in geometric(tokensPerParam) {
                n.append(size)
                d.append(size * ratio)
            }
        }
        let columns = law.variables.map { $0 == Variable.params ? n : $0 == Variable.tokens ? d : [Double](repeating: 1, count: n.count) }
        return LawReference(law: law, parameters: parameters, inputs: Inputs(columns: columns))
    }

    /// A reference for a schedule-aware law: three schedules of 10,000 steps from a peak rate of 3e-4
    /// (constant; warmup-stable-decay with a linear decay over the last 20% to 3e-5; cosine to 3e-5),
    /// each sampled every 500 steps from step 500.
    public static func schedules(_ law: some ScheduleAwareLaw, parameters: [Double]) -> LawReference {
        let total = 10_000, peak = 3e-4, floor = 3e-5
        let shapes: [(Double) -> Double] = [
            { _ in peak },
            { s in s < 8_000 ? peak : peak + (floor - peak) * (s - 8_000) / 2_000 },
            { s in floor + (peak - floor) * (1 + cos(Double.pi * s / Double(total))) / 2 },
        ]
        // The shapes are valid schedules (increasing steps, finite non-negative rates): sampling cannot fail.
        let schedules = shapes.compactMap { try? LearningRateSchedule.sampled(total: total, every: 50, $0) }
        var index = [Double](), steps = [Double]()
        for k in schedules.indices {
            for s in stride(from: 500, through: total, by: 500) {
                index.append(Double(k + 1))
                steps.append(Double(s))
            }
        }
        return LawReference(law: law.bound(to: schedules), parameters: parameters, inputs: Inputs(columns: [index, steps]))
    }

    /// The law's values at the reference parameters and points.
    public var values: [Double] { law.evaluate(parameters, inputs) }

    /// The reference points as runs, each with the law's variables set and the law's value as its loss.
    public var runs: [Run] {
        let y = values
        return (0..<inputs.count).map { i in
            var run = Run(loss: y[i])
            for (v, name) in law.variables.enumerated() { run.setValue(inputs.columns[v][i], of: name) }
            return run
        }
    }
}
