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
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` naming `--train`.
    public init(parsing text: String) throws(ScalingLawsError) {
        let compact = text.filter { !$0.isWhitespace }
        for op in [Comparison.lessOrEqual, .greaterOrEqual, .less, .greater] {
            guard let range = compact.range(of: op.rawValue) else { continue }
            let variable = String(compact[..<range.lowerBound])
            let valueText = String(compact[range.upperBound...])
            guard let first = variable.first, first.isLetter || first == "_",
                  variable.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), variable.lowercased() != "loss" else {
                throw .invalidOption(option: "--train", message: "expected params, tokens, flops or another variable of the law before \(op.rawValue), got \"\(variable)\" in \"\(text)\"")
            }
            if valueText.lowercased().hasPrefix("p"), let q = Double(valueText.dropFirst()) {
                guard q > 0, q < 100 else {
                    throw .invalidOption(option: "--train", message: "a percentile lies strictly between p0 and p100, got \"\(valueText)\"")
                }
                self = .percentile(variable: variable, op: op, quantile: q / 100)
                return
            }
            guard let value = parseQuantity(valueText) else {
                throw .invalidOption(option: "--train", message: "expected a number or a percentile such as p80 after \(op.rawValue), got \"\(valueText)\" in \"\(text)\"")
            }
            self = .condition(variable: variable, op: op, value: value)
            return
        }
        throw .invalidOption(option: "--train", message: "expected a condition like 'flops<=5.59e20' (variable params, tokens or flops; operator <=, <, >= or >), got \"\(text)\"")
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
            let xs = try values(variable)
            let value = Quantiles.percentile(xs, q)
            return xs.indices.filter { op.holds(xs[$0], value) }
        case let .holdoutTop(fraction, variable):
            guard fraction > 0, fraction < 1 else {
                throw .invalidOption(option: "--holdout-top", message: "expected a fraction strictly between 0% and 100%, got \(fraction * 100)%")
            }
            let values = try values(variable)
            let held = Int((Double(runs.count) * fraction).rounded())
            guard held >= 1 else {
                throw .invalidOption(option: "--holdout-top", message: "\(fraction * 100)% of \(runs.count) runs holds out none; raise the fraction")
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
    /// Interval for a new run at this point (asymptotic, at the backtest's level).
    public var interval: Interval
    /// How far beyond the training data the run lies: its compute over the largest training compute (or,
    /// for runs without compute, its value of the law's variable over the largest training value).
    public var extrapolation: Double

    /// A scored run (library users assembling their own held-out sets, e.g. the later points of a curve).
    public init(run: Run, predicted: Double, actual: Double, interval: Interval, extrapolation: Double) {
        self.run = run
        self.predicted = predicted
        self.actual = actual
        self.interval = interval
        self.extrapolation = extrapolation
    }
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
    public var coverage: Double { Double(heldOut.filter { $0.interval.contains($0.actual) }.count) / Double(heldOut.count) }
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
            throw .invalidOption(option: "--train", message: "the split reads \"\(split.variable)\"; use params, tokens, flops or a variable of the \(name) law (\(variables.joined(separator: ", ")))")
        }
        let train = try split.trainingIndices(completed)
        let trainSet = Set(train)
        let test = completed.indices.filter { !trainSet.contains($0) }
        guard !test.isEmpty else {
            throw .invalidOption(option: "--train", message: "\(split) keeps all \(runs.count) runs for training; nothing is left to test")
        }
        guard !train.isEmpty else {
            throw .invalidOption(option: "--train", message: "\(split) leaves no run to train on")
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
        let predictions = try uncertainty.predictions(heldRuns)
        // Extrapolation is measured in compute when the runs have it, else in the law's first variable.
        let scale: (Run) -> Double? = { run in run.flops ?? run.value(of: self.variables[0]) }
        let maxTrain = train.compactMap { scale(completed[$0]) }.max() ?? .nan
        var scored = [BacktestRun]()
        for (k, run) in heldRuns.enumerated() {
            guard let actual = run.loss else {
                throw .invalidRun(index: test[k], message: "a held-out run needs a loss to score against")
            }
            scored.append(BacktestRun(run: run, predicted: predictions[k].value, actual: actual,
                                      interval: predictions[k].runInterval,
                                      extrapolation: (scale(run) ?? .nan) / maxTrain))
        }
        return BacktestResult(split: split, fit: fit, heldOut: scored, level: level, intervalMethod: uncertainty.method)
    }
}
