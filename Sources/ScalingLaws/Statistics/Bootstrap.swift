import Foundation
import Synchronization

/// Settings of a bootstrap.
public struct BootstrapOptions: Sendable, Hashable {
    /// Number of resamples.
    public var replicates: Int
    /// Seed of the draws: the same seed gives identical results on any machine and thread schedule.
    public var seed: UInt64
    /// Confidence level of the percentile intervals.
    public var level: Double

    /// Options for `replicates` refits, drawn from `seed`, with intervals at `level`.
    public init(replicates: Int = 1000, seed: UInt64 = 1, level: Double = 0.95) {
        self.replicates = replicates
        self.seed = seed
        self.level = level
    }
}

extension FitResult {
    /// Nonparametric bootstrap (Efron & Tibshirani 1993): resample the fitted runs with replacement (whole
    /// groups when runs carry a ``Run/group`` label), refit each resample starting from this fit's
    /// optimum, in parallel on all cores, and take percentile intervals.
    ///
    /// Replicate b draws from ``SeededGenerator`` stream b of `options.seed`, so results do not depend on
    /// scheduling. Replicates whose refit fails are dropped and counted (``Uncertainty/failedReplicates``).
    ///
    /// - Parameters:
    ///   - options: replicates, seed and interval level.
    ///   - progress: called with the number of finished replicates (from worker threads).
    /// - Throws: ``ScalingLawsError`` for bad options, a fit without data, or when fewer than half of
    ///   the replicates succeed.
    public func bootstrap(_ options: BootstrapOptions = BootstrapOptions(),
                          progress: (@Sendable (Int) -> Void)? = nil) throws(ScalingLawsError) -> Uncertainty {
        try Self.validate(level: options.level)
        guard options.replicates >= 2, options.replicates <= Limits.maxReplicates else {
            throw .invalidOption(option: .bootstrap, message: "expected 2 to \(Limits.maxReplicates) replicates (1000 is usual), got \(options.replicates)")
        }
        guard !trainingSet.isEmpty else {
            throw .unsupported("the bootstrap needs the runs the law was fitted to: fit from the CSV file (a saved fit or given parameters carry no data)")
        }
        let layout = try ParameterLayout(law: law, constraints: layoutConstraints)
        let runs = trainingRuns
        // Resampling units: groups of row indices.
        var unitOf = [String: Int]()
        var units = [[Int]]()
        for (i, run) in runs.enumerated() {
            if let g = run.group {
                if let u = unitOf[g] { units[u].append(i) } else { unitOf[g] = units.count; units.append([i]) }
            } else {
                units.append([i])
            }
        }
        let fitOptions = {
            var o = FitOptions(objective: objective)
            o.constraints = layoutConstraints
            o.flopsPerParamToken = flopsPerParamToken
            o.start = parameters
            return o
        }()
        let groups = units
        let law = self.law
        let counter = ProgressCounter()
        let seed = options.seed
        let draws: [[Double]?] = parallelMap(options.replicates) { b in
            var rng = SeededGenerator(seed: seed, stream: UInt64(b))
            var sample = [Run]()
            sample.reserveCapacity(runs.count)
            for _ in 0..<groups.count {
                for i in groups[rng.nextIndex(groups.count)] { sample.append(runs[i]) }
            }
            let refit = try? law.fit(sample, options: fitOptions)
            if let progress { progress(counter.increment()) }
            guard let refit, refit.summary.termination.isConverged else { return nil }
            return refit.parameters
        }
        let replicates = draws.compactMap { $0 }
        let failed = options.replicates - replicates.count
        guard replicates.count * 2 >= options.replicates else {
            throw .fitFailed(law: law.name, message: "\(failed) of \(options.replicates) bootstrap refits failed; the fit is too fragile to resample (too few runs or groups?)")
        }
        // Sample covariance of the free variables, for correlations.
        let us = replicates.map { layout.freeVector($0) }
        let p = layout.free.count
        var covariance = Matrix(rows: p, columns: p)
        let means = (0..<p).map { j in us.reduce(0) { $0 + $1[j] } / Double(us.count) }
        for a in 0..<p {
            for b in 0..<p {
                covariance[a, b] = us.reduce(0) { $0 + ($1[a] - means[a]) * ($1[b] - means[b]) } / Double(max(us.count - 1, 1))
            }
        }
        var warnings = [String]()
        if failed > 0 {
            warnings.append("\(failed) of \(options.replicates) bootstrap refits failed and were dropped")
        }
        if replicates.count < 100 {
            warnings.append("only \(replicates.count) bootstrap replicates: a \(String(format: "%g%%", 100 * options.level)) percentile interval then rests on the one or two most extreme refits; use 1000")
        }
        // What the Jacobian says of identifiability and scatter holds for the resampled fits too.
        if let asymptotic = try? asymptoticUncertainty(level: options.level) {
            warnings += asymptotic.warnings.filter { $0.hasPrefix("not identifiable") || $0.hasPrefix("no scatter") }
        }
        if units.count < runs.count {
            warnings.append("resampled \(units.count) groups of runs, not \(runs.count) single runs")
        }
        return makeUncertainty(method: .bootstrap, level: options.level, layout: layout, engine: .bootstrap(replicates: replicates),
                               freeCovariance: covariance, warnings: warnings, residuals: residuals,
                               replicates: options.replicates, failed: failed, seed: options.seed)
    }
}

/// A thread-safe counter for progress reports.
final class ProgressCounter: Sendable {
    private let value = Atomic<Int>(0)
    /// Adds one and returns the new count.
    func increment() -> Int { value.add(1, ordering: .relaxed).newValue }
}
