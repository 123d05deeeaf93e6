import Foundation

/// The runs of one FLOP budget.
public struct BudgetGroup: Sendable, Hashable {
    /// The budget C: the value of the budget column, or the geometric mean of the clustered runs' C.
    public var flops: Double
    /// The runs at this budget.
    public var runs: [Run]
}

/// Groups runs into FLOP budgets for isoFLOP profiles.
public enum BudgetGrouping {
    /// Runs grouped by the exact value of their `column` (e.g. a `budget` column), in increasing order.
    ///
    /// - Throws: ``ScalingLawsError/invalidRun(index:message:)`` for a run without a positive value there.
    public static func byColumn(_ runs: [Run], column: String) throws(ScalingLawsError) -> [BudgetGroup] {
        var groups = [Double: [Run]]()
        for (index, run) in runs.enumerated() {
            guard let budget = run.values[column], budget > 0, budget.isFinite else {
                throw .invalidRun(index: index, message: "the run has no positive \(column) value")
            }
            groups[budget, default: []].append(run)
        }
        return groups.keys.sorted().map { BudgetGroup(flops: $0, runs: groups[$0]!) }
    }

    /// Runs clustered by C in log space (single linkage): sorted by ln C, a new budget starts where the
    /// gap to the previous run exceeds `tolerance`. The budget is the geometric mean of its runs' C.
    ///
    /// A cluster whose runs span more than 2·`tolerance` in ln C is a chain of runs, not one budget
    /// (runs spread over a continuum of C, as in a grid of N × D), and is refused.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a bad tolerance or a chained
    ///   cluster; ``ScalingLawsError/invalidRun(index:message:)`` for a run without a positive C.
    public static func byClustering(_ runs: [Run], tolerance: Double) throws(ScalingLawsError) -> [BudgetGroup] {
        guard tolerance > 0, tolerance.isFinite else {
            throw .invalidOption(option: .budgetTolerance, message: "expected a positive gap in ln C such as 0.1, got \(tolerance)")
        }
        var keyed = [(logFlops: Double, run: Run)]()
        for (index, run) in runs.enumerated() {
            guard let c = run.flops, c > 0, c.isFinite else {
                throw .invalidRun(index: index, message: "the run has no positive FLOPs C (give a flops column, or params and tokens)")
            }
            keyed.append((log(c), run))
        }
        keyed.sort { $0.logFlops < $1.logFlops }
        var clusters = [[(logFlops: Double, run: Run)]]()
        for item in keyed {
            if let last = clusters.last?.last, item.logFlops - last.logFlops <= tolerance {
                clusters[clusters.count - 1].append(item)
            } else {
                clusters.append([item])
            }
        }
        return try clusters.map { (cluster) throws(ScalingLawsError) -> BudgetGroup in
            let lo = cluster.first!.logFlops, hi = cluster.last!.logFlops
            guard hi - lo <= 2 * tolerance else {
                throw .invalidOption(option: .budgetTolerance, message: "runs with C from \(formatQuantity(exp(lo))) to \(formatQuantity(exp(hi))) chain into one budget (spread \(String(format: "%.3g", hi - lo)) in ln C, more than twice the tolerance \(tolerance)); these runs do not form isoFLOP budgets: add a budget column naming each run's budget, or set \(.budgetTolerance)")
            }
            // Runs logged at one exact budget keep it exactly; exp(mean ln C) would round it.
            let flops = lo == hi ? cluster[0].run.flops! : exp(cluster.reduce(0) { $0 + $1.logFlops } / Double(cluster.count))
            return BudgetGroup(flops: flops, runs: cluster.map(\.run))
        }
    }
}
