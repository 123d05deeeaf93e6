import Foundation

/// Which runs a backtest trains on; the rest are held out and scored.
public enum TrainSplit: Sendable, Hashable, CustomStringConvertible {
    /// Train on runs whose variable satisfies `variable op value` (e.g. `flops <= 5.59e20`).
    case condition(variable: String, op: Comparison, value: Double)
    /// Train on runs whose variable satisfies `variable op q-quantile of that variable` (e.g.
    /// `flops <= p80`: the 80th percentile, interpolated linearly as numpy's default).
    case percentile(variable: String, op: Comparison, quantile: Double)
    /// Hold out the largest `fraction` of runs by `variable` (ties held out together).
    case holdoutTop(fraction: Double, by: String)

    /// The comparison of a split condition, written as in the condition (`flops<=5.59e20`).
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        /// Train on runs with the variable at most the value.
        case lessOrEqual = "<="
        /// Train on runs with the variable below the value.
        case less = "<"
        /// Train on runs with the variable at least the value.
        case greaterOrEqual = ">="
        /// Train on runs with the variable above the value.
        case greater = ">"

        func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .lessOrEqual: return a <= b
            case .less: return a < b
            case .greaterOrEqual: return a >= b
            case .greater: return a > b
            }
        }
    }

    /// Parses `flops<=5.59e20`, `params < 2B`, `tokens>=1e10`, or with a percentile `flops<=p80`.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` naming the training split (``Setting/trainSplit``).
    public init(parsing text: String) throws(ScalingLawsError) {
        let compact = text.filter { !$0.isWhitespace }
        for op in [Comparison.lessOrEqual, .greaterOrEqual, .less, .greater] {
            guard let range = compact.range(of: op.rawValue) else { continue }
            let variable = String(compact[..<range.lowerBound])
            let valueText = String(compact[range.upperBound...])
            guard let first = variable.first, first.isLetter || first == "_",
                  variable.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), variable.lowercased() != "loss" else {
                throw .invalidOption(option: .trainSplit, message: "expected params, tokens, flops or another variable of the law before \(op.rawValue), got \"\(variable)\" in \"\(text)\"")
            }
            if valueText.lowercased().hasPrefix("p"), let q = Double(valueText.dropFirst()) {
                guard q > 0, q < 100 else {
                    throw .invalidOption(option: .trainSplit, message: "a percentile lies strictly between p0 and p100, got \"\(valueText)\"")
                }
                self = .percentile(variable: variable, op: op, quantile: q / 100)
                return
            }
            guard let value = parseQuantity(valueText) else {
                throw .invalidOption(option: .trainSplit, message: "expected a number or a percentile such as p80 after \(op.rawValue), got \"\(valueText)\" in \"\(text)\"")
            }
            self = .condition(variable: variable, op: op, value: value)
            return
        }
        throw .invalidOption(option: .trainSplit, message: "expected a condition like 'flops<=5.59e20' (variable params, tokens or flops; operator <=, <, >= or >), got \"\(text)\"")
    }

    /// The split as it is written on the command line, e.g. `train on flops <= 5.59e+20`.
    public var description: String {
        switch self {
        case let .condition(v, op, value): return "train on \(v) \(op.rawValue) \(value)"
        case let .percentile(v, op, q): return "train on \(v) \(op.rawValue) its \(String(format: "%g", q * 100))th percentile"
        case let .holdoutTop(f, by): return "hold out the top \(String(format: "%g", f * 100))% of runs by \(by)"
        }
    }

    /// The variable the split reads.
    var variable: String {
        switch self {
        case let .condition(v, _, _), let .percentile(v, _, _), let .holdoutTop(_, v): return v
        }
    }

    /// Indices of the training runs.
    func trainingIndices(_ runs: [Run]) throws(ScalingLawsError) -> [Int] {
        func values(_ variable: String) throws(ScalingLawsError) -> [Double] {
            var out = [Double]()
            for (i, run) in runs.enumerated() {
                guard let x = run.value(of: variable) else {
                    throw .invalidRun(index: i, message: "the split needs \(variable), which this run lacks")
                }
                out.append(x)
            }
            return out
        }
        switch self {
        case let .condition(variable, op, value):
            let xs = try values(variable)
            return xs.indices.filter { op.holds(xs[$0], value) }
        case let .percentile(variable, op, q):
            guard q > 0, q < 1 else {
                throw .invalidOption(option: .trainSplit, message: "a percentile lies strictly between p0 and p100, got a quantile of \(q)")
            }
            let xs = try values(variable)
            let value = Quantiles.percentile(xs, q)
            return xs.indices.filter { op.holds(xs[$0], value) }
        case let .holdoutTop(fraction, variable):
            guard fraction > 0, fraction < 1 else {
                throw .invalidOption(option: .holdoutTop, message: "expected a fraction strictly between 0% and 100%, got \(fraction * 100)%")
            }
            let values = try values(variable)
            let held = Int((Double(runs.count) * fraction).rounded())
            guard held >= 1 else {
                throw .invalidOption(option: .holdoutTop, message: "\(fraction * 100)% of \(runs.count) runs holds out none; raise the fraction")
            }
            let threshold = values.sorted(by: >)[held - 1]
            return values.indices.filter { values[$0] < threshold }
        }
    }
}

/// One held-out run scored by a backtest.
public struct BacktestRun: Sendable, Hashable {
    /// The held-out run.
    public var run: Run
    /// Predicted loss from the law fitted on the training runs.
    public var predicted: Double
    /// Observed loss.
    public var actual: Double
    /// Absolute relative error |predicted − actual| / actual.
    public var absoluteRelativeError: Double { abs(predicted - actual) / actual }
    /// Signed relative error (predicted − actual) / actual: positive when the law over-predicts.
    public var relativeError: Double { (predicted - actual) / actual }
    /// The new-run interval at this point (asymptotic, at the backtest's level).
    public var newRunInterval: Interval
    /// Interval of the law alone at this point (parameter uncertainty only).
    public var lawInterval: Interval
    /// The calibrated interval: ``newRunInterval`` widened by the forecast-error term measured by inner
    /// backtests on the training runs (``ForecastCalibration``); nil where it could not be made.
    public var calibratedInterval: Interval?
    /// How far beyond the training data the run lies: its compute over the largest training compute (or,
    /// for runs without compute, its value of the law's variable over the largest training value).
    public var extrapolation: Double

    /// A scored run (library users assembling their own held-out sets, e.g. the later points of a curve).
    public init(run: Run, predicted: Double, actual: Double, newRunInterval: Interval, extrapolation: Double,
                lawInterval: Interval? = nil, calibratedInterval: Interval? = nil) {
        self.run = run
        self.predicted = predicted
        self.actual = actual
        self.newRunInterval = newRunInterval
        self.extrapolation = extrapolation
        self.lawInterval = lawInterval ?? newRunInterval
        self.calibratedInterval = calibratedInterval
    }

    /// A scored run, with the new-run interval under its former label.
    @available(*, deprecated, renamed: "init(run:predicted:actual:newRunInterval:extrapolation:lawInterval:calibratedInterval:)")
    public init(run: Run, predicted: Double, actual: Double, interval: Interval, extrapolation: Double,
                lawInterval: Interval? = nil, calibratedInterval: Interval? = nil) {
        self.init(run: run, predicted: predicted, actual: actual, newRunInterval: interval, extrapolation: extrapolation,
                  lawInterval: lawInterval, calibratedInterval: calibratedInterval)
    }

    /// The new-run interval under its former name.
    @available(*, deprecated, renamed: "newRunInterval")
    public var interval: Interval {
        get { newRunInterval }
        set { newRunInterval = newValue }
    }

    /// The interval of `kind` at this point.
    public func interval(_ kind: IntervalKind) -> Interval? {
        switch kind {
        case .law: return lawInterval
        case .newRun: return newRunInterval
        case .calibrated: return calibratedInterval
        }
    }
}

/// The intervals a forecast carries, from narrowest to widest.
public enum IntervalKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The law's parameter uncertainty alone.
    case law
    /// Parameters plus the runs' scatter about the law: where one new run lands if the law is right.
    case newRun = "new_run"
    /// The new-run interval plus the forecast error measured by inner backtests
    /// (``ForecastCalibration``): the interval to trust for an extrapolation.
    case calibrated
}

/// How well one kind of interval did on the held-out runs of a backtest.
public struct IntervalScore: Sendable, Hashable {
    /// The kind of interval.
    public var kind: IntervalKind
    /// Fraction of held-out losses inside it.
    public var coverage: Double
    /// Median of its half-width relative to the prediction, (high − low) / (2·predicted).
    public var medianHalfWidth: Double
    /// Held-out runs that had one.
    public var count: Int
}

/// A forecast tested on runs it did not see.
public struct BacktestResult: Sendable {
    /// The split used.
    public var split: TrainSplit
    /// The law fitted on the training runs.
    public var fit: FitResult
    /// Held-out runs with their predictions, in input order.
    public var heldOut: [BacktestRun]
    /// Confidence level of the run intervals.
    public var level: Double
    /// How the run intervals were made.
    public var intervalMethod: Uncertainty.Method

    /// Mean absolute relative error over the held-out runs.
    public var mare: Double { heldOut.reduce(0) { $0 + $1.absoluteRelativeError } / Double(heldOut.count) }
    /// Median absolute relative error.
    public var medianARE: Double { Quantiles.median(heldOut.map(\.absoluteRelativeError)) }
    /// Largest absolute relative error.
    public var maxARE: Double { heldOut.map(\.absoluteRelativeError).max() ?? .nan }
    /// Mean signed relative error: positive when the law over-predicts the held-out losses.
    public var bias: Double { heldOut.reduce(0) { $0 + $1.relativeError } / Double(heldOut.count) }
    /// Fraction of held-out losses inside their run interval.
    public var coverage: Double { Double(heldOut.filter { $0.newRunInterval.contains($0.actual) }.count) / Double(heldOut.count) }
    /// The forecast-error calibration behind the calibrated intervals (nil when none could be made).
    public var calibration: ForecastCalibration?

    /// Median absolute relative error, the yardstick of the half-widths in ``scores``.
    public var medianAbsoluteError: Double { medianARE }

    /// Coverage and median half-width of each kind of interval.
    public var scores: [IntervalScore] {
        IntervalKind.allCases.compactMap { kind in
            let pairs = heldOut.compactMap { h in h.interval(kind).map { (h, $0) } }
            guard !pairs.isEmpty else { return nil }
            return IntervalScore(kind: kind,
                                 coverage: Double(pairs.filter { $0.1.contains($0.0.actual) }.count) / Double(pairs.count),
                                 medianHalfWidth: Quantiles.median(pairs.map { ($0.1.high - $0.1.low) / (2 * $0.0.predicted) }),
                                 count: pairs.count)
        }
    }

    /// One line on whether the calibrated intervals (or the new-run intervals, without a calibration)
    /// meant what they said: "honest", "too narrow" (coverage well below the level) or "too wide" (full
    /// coverage with half-widths over 4× the median error).
    public var verdict: String {
        guard let score = scores.first(where: { $0.kind == .calibrated }) ?? scores.first(where: { $0.kind == .newRun }) else {
            return "no intervals to judge"
        }
        let name = score.kind == .calibrated ? "calibrated" : "new-run"
        let cover = String(format: "%.0f%%", 100 * score.coverage)
        let ratio = medianARE > 0 ? score.medianHalfWidth / medianARE : .infinity
        // A binomial lower limit: coverage below level − 2 standard errors is too narrow.
        let se = (level * (1 - level) / Double(score.count)).squareRoot()
        if score.coverage < level - 2 * se - 0.05 {
            return "\(name) intervals too narrow: \(cover) coverage for \(String(format: "%g%%", 100 * level)) intervals"
        }
        if score.coverage >= 1 && ratio > 4 {
            return "\(name) intervals too wide: \(cover) coverage, half-width \(String(format: "%.1f", ratio))× the median error"
        }
        return "\(name) intervals honest: \(cover) coverage for \(String(format: "%g%%", 100 * level)) intervals, half-width \(String(format: "%.1f", ratio))× the median error"
    }
    /// Number of training runs.
    public var trainingCount: Int { fit.runs }
}

extension ScalingLaw {
    /// Fits this law on the training runs of `split` and scores the held-out runs.
    ///
    /// Intervals are the intervals for a new run (``Uncertainty/predictions(_:)``) at `level`: asymptotic,
    /// or from a bootstrap of the training runs when `bootstrap` is given.
    ///
    /// - Throws: ``ScalingLawsError`` when the split leaves no held-out run or too few training runs.
    public func backtest(_ runs: [Run], split: TrainSplit, options: FitOptions = FitOptions(),
                         level: Double = 0.95, bootstrap: BootstrapOptions? = nil) throws(ScalingLawsError) -> BacktestResult {
        let completed = runs.map { $0.completed(flopsPerParamToken: options.flopsPerParamToken) }
        guard Variable.standard.contains(split.variable) || variables.contains(split.variable) else {
            throw .invalidOption(option: .trainSplit, message: "the split reads \"\(split.variable)\"; use params, tokens, flops or a variable of the \(name) law (\(variables.joined(separator: ", ")))")
        }
        let train = try split.trainingIndices(completed)
        let trainSet = Set(train)
        let test = completed.indices.filter { !trainSet.contains($0) }
        guard !test.isEmpty else {
            throw .invalidOption(option: .trainSplit, message: "\(split) keeps all \(runs.count) runs for training; nothing is left to test")
        }
        guard !train.isEmpty else {
            throw .invalidOption(option: .trainSplit, message: "\(split) leaves no run to train on")
        }
        let fit = try self.fit(train.map { completed[$0] }, options: options)
        let uncertainty: Uncertainty
        if var b = bootstrap {
            b.level = level
            uncertainty = try fit.bootstrap(b)
        } else {
            uncertainty = try fit.asymptoticUncertainty(level: level)
        }
        let heldRuns = test.map { completed[$0] }
        // The calibration measures extrapolation along the split's axis, from the training runs alone.
        let calibration = try? fit.forecastCalibration(axis: split.variable)
        let predictions: [Uncertainty.Prediction]
        if let calibration {
            predictions = try uncertainty.predictions(heldRuns, calibration: calibration)
        } else {
            predictions = try uncertainty.predictions(heldRuns)
        }
        // Extrapolation is measured in compute when the runs have it, else in the law's first variable.
        let scale: (Run) -> Double? = { run in run.flops ?? run.value(of: self.variables[0]) }
        let maxTrain = train.compactMap { scale(completed[$0]) }.max() ?? .nan
        var scored = [BacktestRun]()
        for (k, run) in heldRuns.enumerated() {
            guard let actual = run.loss else {
                throw .invalidRun(index: test[k], message: "a held-out run needs a loss to score against")
            }
            scored.append(BacktestRun(run: run, predicted: predictions[k].value, actual: actual,
                                      newRunInterval: predictions[k].newRunInterval,
                                      extrapolation: (scale(run) ?? .nan) / maxTrain,
                                      lawInterval: predictions[k].lawInterval, calibratedInterval: predictions[k].calibratedInterval))
        }
        return BacktestResult(split: split, fit: fit, heldOut: scored, level: level, intervalMethod: uncertainty.method,
                              calibration: calibration)
    }
}
