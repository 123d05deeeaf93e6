import Foundation

/// One run a design may include: model size N, training tokens D and what it costs to train.
public struct DesignRun: Sendable, Hashable, Codable {
    /// Model parameters N.
    public var params: Double
    /// Training tokens D.
    public var tokens: Double
    /// Training compute C in FLOPs: the cost the budget counts.
    public var flops: Double

    /// A run of `params` parameters on `tokens` tokens costing `flops` FLOPs.
    public init(params: Double, tokens: Double, flops: Double) {
        self.params = params
        self.tokens = tokens
        self.flops = flops
    }

    /// A run costed by C = k·N·D.
    public init(params: Double, tokens: Double, flopsPerParamToken k: Double) {
        self.init(params: params, tokens: tokens, flops: k * params * tokens)
    }

    /// The run as a ``Run`` without a loss (for the laws' inputs).
    public var run: Run { Run(params: params, tokens: tokens, flops: flops) }
}

/// Limits on the runs a design may use: the model sizes the codebase supports and the data at hand.
public struct DesignLimits: Sendable, Hashable {
    /// Smallest model size N (nil: none).
    public var minParams: Double?
    /// Largest model size N (nil: none).
    public var maxParams: Double?
    /// Most training tokens D (nil: none).
    public var maxTokens: Double?

    /// Limits; nil means unlimited.
    public init(minParams: Double? = nil, maxParams: Double? = nil, maxTokens: Double? = nil) {
        self.minParams = minParams
        self.maxParams = maxParams
        self.maxTokens = maxTokens
    }

    /// Whether `run` lies within the limits.
    public func admits(_ run: DesignRun) -> Bool {
        if let minParams, run.params < minParams { return false }
        if let maxParams, run.params > maxParams { return false }
        if let maxTokens, run.tokens > maxTokens { return false }
        return true
    }

    /// Checks that every limit is a positive number and the size range is not empty.
    public func validate() throws(ScalingLawsError) {
        for (setting, value) in [(Setting.minParams, minParams), (Setting.maxParams, maxParams), (Setting.maxTokens, maxTokens)] {
            if let value, !(value.isFinite && value > 0) {
                throw .invalidOption(option: setting, message: "expected a positive number, got \(value)")
            }
        }
        if let lo = minParams, let hi = maxParams, lo > hi {
            throw .invalidOption(option: .minParams, message: "the smallest size \(lo) exceeds \(.maxParams) \(hi)")
        }
    }
}

/// The candidate runs a design chooses from.
public enum DesignCandidates {
    /// Default smallest model size of the grid when no limit is given.
    public static let defaultMinParams = 1e7
    /// Tokens per parameter spanned by the default grid.
    public static let defaultRatios: ClosedRange<Double> = 1...1000

    /// A log grid of model sizes × tokens per parameter: `sizesPerDecade` sizes per decade from the
    /// smallest size (`limits.minParams`, default 10⁷) to the largest (`limits.maxParams`, default the
    /// size whose run at the smallest ratio costs the whole budget), each trained at `ratioCount`
    /// tokens-per-parameter values spaced evenly in log from 1 to 1000; costed by C = k·N·D and kept when
    /// within the limits and the budget.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a bad budget, limit, k or grid density,
    ///   a range of sizes too wide for a grid, or when no grid point fits.
    public static func grid(budget: Double, limits: DesignLimits, flopsPerParamToken k: Double,
                            sizesPerDecade: Int = 8, ratioCount: Int = 16) throws(ScalingLawsError) -> [DesignRun] {
        try ExperimentDesigner.validate(budget: budget)
        try limits.validate()
        guard k.isFinite, k > 0 else {
            throw .invalidOption(option: .flopsPerParamToken, message: "expected a positive number, got \(k)")
        }
        guard (1...1000).contains(sizesPerDecade) else {
            throw .invalidOption(option: .grid, message: "expected 1 to 1000 model sizes per decade, got \(sizesPerDecade)")
        }
        guard (1...1000).contains(ratioCount) else {
            throw .invalidOption(option: .grid, message: "expected 1 to 1000 tokens-per-parameter values, got \(ratioCount)")
        }
        let low = limits.minParams ?? defaultMinParams
        // No size above the one whose run at the smallest ratio costs the whole budget can be kept, so
        // the grid stops there even when --max-params is larger (the same candidates, fewer sizes tried).
        let affordable = (budget / (k * defaultRatios.lowerBound)).squareRoot()
        let high = min(limits.maxParams ?? .infinity, affordable)
        guard affordable.isFinite else {
            throw .invalidOption(option: .flopsPerParamToken, message: "\(k) FLOPs per parameter per token is too small: the budget \(budget) would buy models beyond double precision")
        }
        guard high >= low else {
            throw .invalidOption(option: .budget, message: "no candidate inside the limits: a model of \(low) parameters (\(.minParams)) trained on \(defaultRatios.lowerBound) token per parameter costs \(k * low * low * defaultRatios.lowerBound) FLOPs, more than the budget \(budget)")
        }
        let decades = log10(high / low)
        guard decades.isFinite, decades * Double(sizesPerDecade) < Double(Limits.maxGridPoints) else {
            throw .invalidOption(option: .minParams, message: "sizes from \(low) to \(high) parameters span \(decades) decades, too many for a grid; raise \(.minParams) or lower \(.maxParams)")
        }
        let sizeCount = max(1, Int((decades * Double(sizesPerDecade)).rounded(.down)) + 1)
        let sizes = (0..<sizeCount).map { low * pow(10, Double($0) / Double(sizesPerDecade)) }
        let ratios = geometricGrid(defaultRatios.lowerBound, defaultRatios.upperBound, count: max(2, ratioCount))
        var runs = [DesignRun]()
        for n in sizes {
            for r in ratios {
                let run = DesignRun(params: n, tokens: r * n, flopsPerParamToken: k)
                if limits.admits(run) && run.flops <= budget { runs.append(run) }
            }
        }
        guard !runs.isEmpty else {
            throw .invalidOption(option: .maxTokens, message: "no candidate inside the limits (sizes \(low)–\(high), at most \(limits.maxTokens.map { "\($0)" } ?? "any") tokens) costs at most the budget \(budget)")
        }
        return runs
    }

    /// Candidate runs given by the user (e.g. read from a file), kept when within the limits.
    ///
    /// - Throws: ``ScalingLawsError/invalidRun(index:message:)`` for a run without positive N, D and cost,
    ///   and ``ScalingLawsError/invalidOption(option:message:)`` when none lies within the limits.
    public static func filter(_ runs: [DesignRun], limits: DesignLimits) throws(ScalingLawsError) -> [DesignRun] {
        try limits.validate()
        for (index, run) in runs.enumerated() {
            guard run.params.isFinite, run.params > 0, run.tokens.isFinite, run.tokens > 0, run.flops.isFinite, run.flops > 0 else {
                throw .invalidRun(index: index, message: "a candidate needs positive params, tokens and flops, got N=\(run.params), D=\(run.tokens), C=\(run.flops)")
            }
        }
        let kept = runs.filter(limits.admits)
        guard !kept.isEmpty else {
            throw .invalidOption(option: .candidates, message: "no candidate inside the limits (\(runs.count) given; \(.minParams), \(.maxParams), \(.maxTokens) exclude them all)")
        }
        return kept
    }
}
