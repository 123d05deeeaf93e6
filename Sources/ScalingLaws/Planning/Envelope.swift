import Foundation

/// How to build the minimum-loss envelope.
public struct EnvelopeOptions: Sendable, Hashable {
    /// Log-spaced FLOP values between the smallest and largest C any curve reaches.
    public var gridPoints: Int = 100
    /// k in C = k·N·D.
    public var flopsPerParamToken: Double = 6

    /// The defaults: 100 grid points, k = 6.
    public init() {}
}

/// The lowest loss any run reaches at one FLOP value, and the run that reaches it.
public struct EnvelopePoint: Sendable, Hashable {
    /// C.
    public var flops: Double
    /// The least loss over the runs at C.
    public var loss: Double
    /// The run attaining it.
    public var run: String
    /// That run's N.
    public var params: Double
    /// That run's tokens at C, C/(k·N).
    public var tokens: Double
    /// Whether the run is the smallest or largest model trained: there the true optimum may lie beyond
    /// the ladder, so the point is shown but not fitted.
    public var censored: Bool
}

/// A stretch of the envelope attained by one run.
public struct EnvelopeSegment: Sendable, Hashable {
    /// The run attaining the envelope over this range.
    public var run: String
    /// The run's model size N.
    public var params: Double
    /// The first and last grid values of C where this run is the envelope.
    public var flops: ClosedRange<Double>
    /// Whether the run is the smallest or largest trained (not fitted).
    public var censored: Bool
}

/// Approach 1 of Hoffmann et al. 2022 (arXiv:2203.15556, §3.1): the minimum over training curves.
///
/// Each run's curve is placed on the compute axis by C = k·N·D (D the tokens seen so far) and
/// interpolated linearly in (ln C, ln L) between logged points; a run takes part only between its first
/// and last points (no extrapolation). On a log-spaced grid of C the envelope is the least loss over the
/// runs, and the run attaining it gives N*(C) and D*(C) = C/(k·N*). N*(C) = k_N·C^a and D*(C) = k_D·C^b
/// are fitted to the envelope points by log–log least squares, and L*(C) = E + A·C^(−α) as a
/// ``SaturatingPowerLaw``.
///
/// Points attained by the smallest or the largest model trained are censored and left out of the fits:
/// below the C where the smallest model is optimal, and above the C where the largest is, the true
/// optimum lies outside the ladder, and keeping those points flattens N*(C). (On curves drawn from
/// Hoffmann et al.'s law with 20 sizes over three decades, keeping them gives a = 0.38 instead of the
/// true 0.45.) N* takes only the sizes that were trained, so the envelope is a staircase, and the fit is
/// as coarse as the ladder of sizes; runs should be trained well past their compute-optimal length.
public struct EnvelopeAnalysis: Sendable {
    /// The settings used.
    public let options: EnvelopeOptions
    /// Curves read.
    public let curves: Int
    /// The envelope, by increasing C (grid values where some run takes part).
    public let points: [EnvelopePoint]
    /// N*(C) and D*(C) fitted to the uncensored envelope points.
    public let allocation: AllocationLaw
    /// L*(C) = E + A·C^(−α) fitted to the uncensored envelope (nil with fewer than four points).
    public let lossLaw: FitResult?

    /// Builds the envelope of `curves` and fits the allocation laws.
    ///
    /// - Throws: ``ScalingLawsError/insufficientData(_:)`` when fewer than two sizes attain the envelope;
    ///   ``ScalingLawsError/invalidOption(option:message:)`` for a bad grid or k.
    public init(curves: [TrainingCurve], options: EnvelopeOptions = EnvelopeOptions()) throws(ScalingLawsError) {
        let k = options.flopsPerParamToken
        guard k > 0, k.isFinite else {
            throw .invalidOption(option: .flopsPerParamToken, message: "expected a positive number, got \(k)")
        }
        guard options.gridPoints >= 2, options.gridPoints <= Limits.maxGridPoints else {
            throw .invalidOption(option: .grid, message: "expected 2 to \(Limits.maxGridPoints) FLOP values, got \(options.gridPoints)")
        }
        guard curves.count >= 2 else {
            throw .insufficientData("the envelope needs training curves of at least 2 model sizes, found \(curves.count) curve\(curves.count == 1 ? "" : "s")")
        }
        let logFlops = curves.map { c in c.tokens.map { log(k * c.params * $0) } }
        let logLoss = curves.map { c in c.losses.map { log($0) } }
        let lo = logFlops.map { $0.first! }.min()!, hi = logFlops.map { $0.last! }.max()!
        let smallest = curves.map(\.params).min()!, largest = curves.map(\.params).max()!
        var points = [EnvelopePoint]()
        for g in 0..<options.gridPoints {
            let x = lo + (hi - lo) * Double(g) / Double(options.gridPoints - 1)
            var best: (loss: Double, curve: Int)? = nil
            for j in curves.indices {
                guard let y = interpolate(logFlops[j], logLoss[j], at: x) else { continue }
                if best == nil || y < best!.loss { best = (y, j) }
            }
            guard let best else { continue }
            let c = exp(x), n = curves[best.curve].params
            points.append(EnvelopePoint(flops: c, loss: exp(best.loss), run: curves[best.curve].run, params: n,
                                        tokens: c / (k * n), censored: n == smallest || n == largest))
        }
        let fitted = points.filter { !$0.censored }
        let sizes = Set(fitted.map(\.params))
        guard sizes.count >= 2 else {
            throw .insufficientData("the envelope is attained by \(sizes.count) model size\(sizes.count == 1 ? "" : "s") other than the smallest and largest trained (\(formatQuantity(smallest)) and \(formatQuantity(largest)), whose points are censored); Approach 1 needs at least 2: add models of intermediate size, trained past their compute-optimal length so that the curves cross")
        }
        self.options = options
        self.curves = curves.count
        self.points = points
        self.allocation = try AllocationLaw.fit(flops: fitted.map(\.flops), params: fitted.map(\.params), tokens: fitted.map(\.tokens))
        self.lossLaw = try fitLossEnvelope(flops: fitted.map(\.flops), losses: fitted.map(\.loss), flopsPerParamToken: k)
    }

    /// Consecutive envelope points attained by the same run.
    public var segments: [EnvelopeSegment] {
        var out = [EnvelopeSegment]()
        for p in points {
            if let last = out.last, last.run == p.run {
                out[out.count - 1].flops = last.flops.lowerBound...p.flops
            } else {
                out.append(EnvelopeSegment(run: p.run, params: p.params, flops: p.flops...p.flops, censored: p.censored))
            }
        }
        return out
    }

    /// N*(C), D*(C) and L*(C) at `flops`.
    public func predict(flops: Double) throws(ScalingLawsError) -> AllocationPrediction {
        try predictAllocation(allocation, lossLaw: lossLaw, bootstrap: nil, flops: flops)
    }
}

/// Linear interpolation of y over increasing x at `t`, nil outside [x₀, x_last].
private func interpolate(_ x: [Double], _ y: [Double], at t: Double) -> Double? {
    guard let first = x.first, let last = x.last, t >= first, t <= last else { return nil }
    var lo = 0, hi = x.count - 1
    while hi - lo > 1 {
        let mid = (lo + hi) / 2
        if x[mid] <= t { lo = mid } else { hi = mid }
    }
    if x[hi] == x[lo] { return y[lo] }
    return y[lo] + (y[hi] - y[lo]) * (t - x[lo]) / (x[hi] - x[lo])
}
