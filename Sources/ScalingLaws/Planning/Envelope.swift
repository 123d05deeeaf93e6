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
    ///   ``ScalingLawsError/invalidOption(option:message:)`` for a bad grid or k, or a curve that fails
    ///   ``TrainingCurve/validate()``.
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
        for curve in curves { try curve.validate() }
        let lo = curves.map { log(k * $0.params * $0.tokens.first!) }.min()!
        let hi = curves.map { log(k * $0.params * $0.tokens.last!) }.max()!
        var grid = EnvelopeGrid(lo: lo, hi: hi, points: options.gridPoints, flopsPerParamToken: k)
        for curve in curves { grid.add(curve) }
        try self.init(grid: grid, options: options)
    }

    /// The envelope of the curves added to `grid`, and its fits.
    private init(grid: EnvelopeGrid, options: EnvelopeOptions) throws(ScalingLawsError) {
        let k = options.flopsPerParamToken
        let smallest = grid.params.min()!, largest = grid.params.max()!
        var points = [EnvelopePoint]()
        for (g, best) in grid.best.enumerated() {
            guard let best else { continue }
            let c = exp(grid.logFlops[g]), n = grid.params[best.curve]
            points.append(EnvelopePoint(flops: c, loss: exp(best.loss), run: grid.runs[best.curve], params: n,
                                        tokens: c / (k * n), censored: n == smallest || n == largest))
        }
        let fitted = points.filter { !$0.censored }
        let sizes = Set(fitted.map(\.params))
        guard sizes.count >= 2 else {
            throw .insufficientData("the envelope is attained by \(sizes.count) model size\(sizes.count == 1 ? "" : "s") other than the smallest and largest trained (\(formatQuantity(smallest)) and \(formatQuantity(largest)), whose points are censored); Approach 1 needs at least 2: add models of intermediate size, trained past their compute-optimal length so that the curves cross")
        }
        self.options = options
        self.curves = grid.runs.count
        self.points = points
        self.allocation = try AllocationLaw.fit(flops: fitted.map(\.flops), params: fitted.map(\.params), tokens: fitted.map(\.tokens))
        self.lossLaw = try fitLossEnvelope(flops: fitted.map(\.flops), losses: fitted.map(\.loss), flopsPerParamToken: k)
    }

    /// The envelope of the training curves in the long-format CSV file at `path`, read as a stream, and
    /// the note of ``CurveTable/averagingNote(_:)`` on its curves.
    ///
    /// The result, and every error, are those of reading the curves with
    /// ``CurveTable/curves(contentsOf:columns:tokensPerStep:params:)`` and calling
    /// ``init(curves:options:)``, but a regular file whose runs each have their rows together (the usual
    /// export) is read twice and never held: a first, light pass finds each run's model size and token
    /// range, which fix the grid; the second checks every row as the in-memory reader does and reduces
    /// each run to its values on the grid as soon as the run ends. Memory then depends on the longest run,
    /// not on the file. A file whose runs are interleaved, or one that cannot be read twice (a pipe), is
    /// read into memory.
    public static func read(contentsOf path: String, columns: CurveTable.Columns = CurveTable.Columns(),
                            tokensPerStep: Double? = nil,
                            options: EnvelopeOptions = EnvelopeOptions()) throws(ScalingLawsError) -> FileReading {
        func inMemory() throws(ScalingLawsError) -> FileReading {
            let curves = try CurveTable.curves(contentsOf: path, columns: columns, tokensPerStep: tokensPerStep)
            return FileReading(analysis: try EnvelopeAnalysis(curves: curves, options: options),
                               averagingNote: CurveTable.averagingNote(curves), streamed: false)
        }
        guard isRegularFile(path) else { return try inMemory() }
        // First pass: each run's model size (on its first point) and token range, and whether the runs are
        // grouped. Nothing is checked here: anything amiss (a structure error, a bad value) sends the
        // file to the in-memory reader, which reports it as it always has, or to the second pass, which
        // checks every row.
        var ranges = [(run: String, params: Double, minTokens: Double, maxTokens: Double)]()
        var grouped = true
        do throws(ScalingLawsError) {
            let reader = try CSVReader(contentsOf: path)
            let layout = try CurveBuilder(source: reader.source, header: reader.header, columns: columns,
                                          tokensPerStep: tokensPerStep, params: nil)
            var seen = Set<String>()
            var last = ""
            while try reader.nextRow() {
                if reader.isBlank(layout.lossColumn) { continue }
                let run = reader.label(layout.runColumn)
                if ranges.isEmpty || run != last {
                    guard seen.insert(run).inserted else {   // interleaved
                        grouped = false
                        break
                    }
                    last = run
                    ranges.append((run, reader.quantity(layout.paramsColumn!) ?? .nan, .infinity, -.infinity))
                }
                guard let step = reader.quantity(layout.tokensColumn) else { continue }
                let tokens = step * (tokensPerStep ?? 1)
                guard tokens > 0 else { continue }
                let r = ranges.count - 1
                if tokens < ranges[r].minTokens { ranges[r].minTokens = tokens }
                if tokens > ranges[r].maxTokens { ranges[r].maxTokens = tokens }
            }
        } catch {
            grouped = false
        }
        if !grouped { return try inMemory() }
        // Second pass: every row checked; each run's curve onto the grid as soon as the next run begins.
        let reader = try CSVReader(contentsOf: path)
        var builder = try CurveBuilder(source: reader.source, header: reader.header, columns: columns,
                                       tokensPerStep: tokensPerStep, params: nil)
        let k = options.flopsPerParamToken
        let valid = k > 0 && k.isFinite && options.gridPoints >= 2 && options.gridPoints <= Limits.maxGridPoints && ranges.count >= 2
        guard valid else {
            // Only checks: the option or count error comes after any error in the file, as in memory.
            builder.keep = { _ in false }
            while try reader.nextRow() { try builder.add(reader, line: reader.line) }
            _ = try builder.finish()
            return try inMemory()
        }
        builder.releasesGroupedRuns = true
        let lo = ranges.map { log(k * $0.params * $0.minTokens) }.min()!
        let hi = ranges.map { log(k * $0.params * $0.maxTokens) }.max()!
        var grid = EnvelopeGrid(lo: lo, hi: hi, points: options.gridPoints, flopsPerParamToken: k)
        var averaged = [TrainingCurve]()
        func take(_ curve: TrainingCurve) {
            grid.add(curve)
            if curve.averagedTokenCounts > 0 {
                var note = TrainingCurve(run: curve.run, params: curve.params, tokens: [], losses: [])
                note.averagedTokenCounts = curve.averagedTokenCounts
                averaged.append(note)
            }
        }
        while try reader.nextRow() {
            try builder.add(reader, line: reader.line)
            if let curve = builder.takeCompleted() { take(curve) }
        }
        for curve in try builder.finish() { take(curve) }
        // The checked runs must be those the grid was made from (the file did not change in between).
        let checked = builder.summaries
        guard checked.count == ranges.count,
              zip(checked, ranges).allSatisfy({ $0.run == $1.run && $0.params == $1.params
                                                && $0.minTokens == $1.minTokens && $0.maxTokens == $1.maxTokens }) else {
            throw .malformedFile(file: path, line: nil, message: "the file changed while it was read")
        }
        return FileReading(analysis: try EnvelopeAnalysis(grid: grid, options: options),
                           averagingNote: CurveTable.averagingNote(averaged), streamed: true)
    }

    /// The envelope of a file, as ``read(contentsOf:columns:tokensPerStep:options:)`` made it.
    public struct FileReading: Sendable {
        /// The envelope and its fits.
        public var analysis: EnvelopeAnalysis
        /// ``CurveTable/averagingNote(_:)`` on the file's curves.
        public var averagingNote: String?
        /// Whether the file was read in two passes without holding its curves (false: read into memory,
        /// for interleaved runs or a file that cannot be read twice).
        public var streamed: Bool
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

/// The least loss over curves at each point of a log-spaced grid of C, built one curve at a time: the
/// values, and the curve attaining each, are those of taking every curve at once, with ties going to
/// the curve added first.
private struct EnvelopeGrid {
    /// ln C at each grid point.
    let logFlops: [Double]
    let k: Double
    /// The least ln L so far at each grid point and the curve (its number in order added) attaining it.
    var best: [(loss: Double, curve: Int)?]
    /// The curves added: run and N.
    var runs = [String](), params = [Double]()

    init(lo: Double, hi: Double, points: Int, flopsPerParamToken k: Double) {
        logFlops = (0..<points).map { g in lo + (hi - lo) * Double(g) / Double(points - 1) }
        self.k = k
        best = Array(repeating: nil, count: points)
    }

    mutating func add(_ c: TrainingCurve) {
        let j = runs.count
        runs.append(c.run)
        params.append(c.params)
        let x = c.tokens.map { log(k * c.params * $0) }, y = c.losses.map { log($0) }
        for g in logFlops.indices {
            guard let v = interpolate(x, y, at: logFlops[g]) else { continue }
            if best[g] == nil || v < best[g]!.loss { best[g] = (v, j) }
        }
    }
}

/// Whether `path` is a regular file (it can be read twice), following links.
private func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
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
