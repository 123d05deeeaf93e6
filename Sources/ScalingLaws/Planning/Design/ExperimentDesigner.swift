import Foundation

/// A proposed set of runs and how well it determines the target.
public struct ExperimentDesign: Sendable {
    /// The score of the chosen runs (runs, cost, predicted interval of the target).
    public var score: DesignScore
    /// The budget the runs had to fit in.
    public var budget: Double
    /// Candidates given, and those the search could use (within the ratio band and the budget).
    public var candidatesGiven: Int
    /// Candidates the search could use.
    public var candidatesUsed: Int
    /// Greedy steps and exchange sweeps the search made.
    public var sweeps: Int
    /// What a reader should know about the search (the band applied, runs left out).
    public var notes: [String]

    /// The chosen runs.
    public var runs: [DesignRun] { score.runs }
}

/// How the design search runs.
public struct DesignSearchOptions: Sendable, Hashable {
    /// Keep only candidates whose tokens per parameter is within this factor of the target's, measured
    /// from the compute-optimal frontier of the assumed law: |ln(D/N) − ln(D*/N*)(C) − offset(target)| ≤
    /// ln(band). Nil (or ∞) uses every candidate. See ``ExperimentDesigner`` for why.
    public var ratioBand: Double? = 3
    /// Most runs in the design (nil: as many as the budget buys).
    public var maxRuns: Int? = nil
    /// Most exchange sweeps.
    public var maxSweeps: Int = 30

    /// Default options: a band of 3 around the target's tokens per parameter, no limit on the number of runs.
    public init(ratioBand: Double? = 3, maxRuns: Int? = nil, maxSweeps: Int = 30) {
        self.ratioBand = ratioBand
        self.maxRuns = maxRuns
        self.maxSweeps = maxSweeps
    }
}

/// Chooses runs within a FLOP budget that minimise the predicted interval of a target
/// (``DesignProblem``): a cost-aware greedy start and an exchange search.
///
/// 1. **Band.** A c-optimal design for a law taken as exactly true puts its runs where the law's
///    curvature is most informative, often far from the compute-optimal frontier (very few or very
///    many tokens per parameter). Real losses follow the parametric law least there, and a design that
///    leans on those points forecasts worse than a random one (on the Chinchilla runs: 1.4–1.6% error
///    beyond the fitted range against 1.1% for random subsets). So by default the search only uses
///    candidates whose tokens per parameter lie within a factor of 4 of the target's, both measured
///    against the assumed law's compute-optimal ratio at the run's own compute (the target of
///    `--target-flops` and `--target-optimum` is on the frontier). Laws without a compute-optimal
///    allocation use every candidate.
/// 2. **Greedy.** Starting from no runs, add the affordable candidate with the largest decrease of
///    ln cᵀ(M + λI)⁻¹c per FLOP (a tiny ridge λ makes the first steps defined), until no candidate fits
///    the remaining budget (or the design has ``DesignSearchOptions/maxRuns`` runs).
/// 3. **Exchange.** Swap a chosen run for an unchosen one whenever that lowers cᵀ(M + λI)⁻¹c within the
///    budget (Fedorov's exchange; Atkinson, Donev & Tobias 2007, ch. 12), then add any candidate that
///    still fits; repeat until a sweep changes nothing.
///
/// The result is checked without the ridge: a design that leaves the target undetermined, or has fewer
/// runs than a fit needs, is refused with an error rather than scored.
public enum ExperimentDesigner {
    /// Proposes runs from `candidates` costing at most `budget` FLOPs.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a budget that is not positive or
    ///   below the cheapest candidate, an empty band, and ``ScalingLawsError/insufficientData(_:)`` when
    ///   the budget cannot buy a design that determines the target.
    public static func propose(_ problem: DesignProblem, candidates: [DesignRun], budget: Double,
                               options: DesignSearchOptions = DesignSearchOptions()) throws(ScalingLawsError) -> ExperimentDesign {
        try validate(budget: budget)
        guard !candidates.isEmpty else {
            throw .invalidOption(option: .candidates, message: "no candidate runs to choose from")
        }
        let cheapest = candidates.map(\.flops).min()!
        guard cheapest <= budget else {
            throw .invalidOption(option: .budget, message: "the budget \(budget) FLOPs is below the cheapest candidate run (\(cheapest) FLOPs)")
        }
        let maxRuns = options.maxRuns ?? Int.max
        guard maxRuns >= problem.free.count + 1 else {
            throw .invalidOption(option: .maxRuns, message: "a fit of the \(problem.free.count) parameters of the \(problem.law.name) law needs at least \(problem.free.count + 1) runs, got \(maxRuns)")
        }
        var notes = [String]()
        var usable = candidates.filter { $0.flops <= budget }
        if let band = options.ratioBand, !band.isInfinite {
            guard band > 1 else {
                throw .invalidOption(option: .ratioBand, message: "expected a factor above 1 (e.g. 4), or inf for no band, got \(band)")
            }
            let law = problem.law, theta = problem.parameters, k = problem.flopsPerParamToken
            if let center = problem.target.frontierOffset(law: law, theta, flopsPerParamToken: k),
               DesignProblem.frontierOffset(law: law, theta, params: usable[0].params, tokens: usable[0].tokens, flopsPerParamToken: k) != nil {
                let inside = usable.filter { run in
                    guard let o = DesignProblem.frontierOffset(law: law, theta, params: run.params, tokens: run.tokens, flopsPerParamToken: k) else { return false }
                    return abs(o - center) <= log(band)
                }
                guard !inside.isEmpty else {
                    throw .invalidOption(option: .ratioBand, message: "no affordable candidate has tokens per parameter within a factor \(band) of the target's (relative to the compute-optimal ratio); widen \(.ratioBand) or add candidates")
                }
                notes.append("searched \(inside.count) of \(usable.count) affordable candidates: those within a factor \(Self.format(band)) of the target's tokens per parameter relative to the compute-optimal ratio (the ratio band)")
                usable = inside
            } else {
                notes.append("the \(law.name) law has no compute-optimal allocation of N and D: no ratio band applied")
            }
        }
        let rows = try problem.informationRows(usable)
        let criterion = DesignCriterion(rows: rows, target: try problem.targetGradient())
        let cost = usable.map(\.flops)

        // 2. Greedy, cost-aware.
        var chosen = [Int]()
        var inDesign = [Bool](repeating: false, count: usable.count)
        var m = criterion.information([])
        var spent = 0.0
        var current = criterion.regularizedVariance(m)
        var steps = 0
        while chosen.count < maxRuns {
            var best: (index: Int, gain: Double, value: Double)? = nil
            let around = criterion.neighbourhood(m)
            for i in usable.indices where !inDesign[i] && spent + cost[i] <= budget {
                let v = criterion.variance(adding: i, to: around, of: &m)
                let gain = (log(current) - log(v)) / cost[i]
                if v.isFinite && (best == nil || gain > best!.gain) { best = (i, gain, v) }
            }
            guard let b = best, b.value < current else { break }
            chosen.append(b.index)
            inDesign[b.index] = true
            criterion.add(&m, b.index, sign: 1)
            spent += cost[b.index]
            current = b.value
            steps += 1
        }

        // 3. Exchange.
        var sweeps = 0
        var changed = true
        while changed && sweeps < options.maxSweeps {
            changed = false
            sweeps += 1
            for slot in chosen.indices {
                let out = chosen[slot]
                criterion.add(&m, out, sign: -1)
                var best: (index: Int, value: Double)? = nil
                let around = criterion.neighbourhood(m)
                for j in usable.indices where !inDesign[j] && spent - cost[out] + cost[j] <= budget {
                    let v = criterion.variance(adding: j, to: around, of: &m)
                    if v < (best?.value ?? current * (1 - 1e-9)) { best = (j, v) }
                }
                if let b = best {
                    inDesign[out] = false
                    inDesign[b.index] = true
                    chosen[slot] = b.index
                    spent += cost[b.index] - cost[out]
                    current = b.value
                    criterion.add(&m, b.index, sign: 1)
                    changed = true
                } else {
                    criterion.add(&m, out, sign: 1)
                }
            }
            for j in usable.indices.sorted(by: { cost[$0] < cost[$1] }) where chosen.count < maxRuns && !inDesign[j] && spent + cost[j] <= budget {
                criterion.add(&m, j, sign: 1)
                let v = criterion.regularizedVariance(m)
                if v < current {
                    inDesign[j] = true
                    chosen.append(j)
                    spent += cost[j]
                    current = v
                    changed = true
                } else {
                    criterion.add(&m, j, sign: -1)
                }
            }
        }

        chosen.sort { (cost[$0], usable[$0].params) < (cost[$1], usable[$1].params) }
        let (variance, rank) = criterion.exactVariance(chosen)
        let p = problem.free.count
        guard chosen.count >= p + 1, variance.isFinite else {
            throw .insufficientData("the budget \(budget) FLOPs buys \(chosen.count) run\(chosen.count == 1 ? "" : "s") (information rank \(rank)), which cannot determine the \(p) fitted parameters of the \(problem.law.name) law (a fit needs at least \(p + 1) runs that pin down every parameter); raise \(.budget), lower \(.minParams), or fix some parameters")
        }
        let runs = chosen.map { usable[$0] }
        return ExperimentDesign(score: problem.makeScore(runs, variance: variance, rank: rank), budget: budget,
                                candidatesGiven: candidates.count, candidatesUsed: usable.count, sweeps: steps + sweeps, notes: notes)
    }

    /// Random runs of (at most) the budget: candidates in a seeded random order, each taken when it still
    /// fits. A reference for how much a design gains over no design.
    public static func randomSubset(_ candidates: [DesignRun], budget: Double, seed: UInt64) -> [DesignRun] {
        var generator = SeededGenerator(seed: seed)
        var spent = 0.0
        var out = [DesignRun]()
        for run in candidates.shuffled(using: &generator) where spent + run.flops <= budget {
            out.append(run)
            spent += run.flops
        }
        return out
    }

    /// Checks that a budget is a positive finite number of FLOPs.
    static func validate(budget: Double) throws(ScalingLawsError) {
        guard budget.isFinite, budget > 0 else {
            throw .invalidOption(option: .budget, message: "expected a positive FLOP budget such as 1e21, got \(budget)")
        }
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e6 ? String(Int(x)) : String(format: "%.3g", x)
    }
}
