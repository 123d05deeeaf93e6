import Foundation

/// Which early points of a learning curve to leave out of its fit: the loss under learning-rate warmup
/// is noisy and far above the power law the rest of the run follows.
public enum Warmup: Sendable, Hashable {
    /// Skip points at or below this many tokens seen.
    case tokens(Double)
    /// Skip points below this fraction of the last token count fitted (0 ≤ f < 1).
    case fraction(Double)
}

/// How to forecast a partial run.
public struct CurveForecastOptions: Sendable, Hashable {
    /// Early points left out (default: the first 10% of the tokens fitted).
    public var warmup: Warmup = .fraction(0.1)
    /// Use only points up to this many tokens (nil: the whole logged curve), to test a forecast
    /// against the rest of the run.
    public var through: Double? = nil
    /// Confidence level of the intervals.
    public var level: Double = 0.95
    /// Bootstrap over the curve's points instead of asymptotic intervals.
    public var bootstrap: BootstrapOptions? = nil

    public init() {}
}

/// A partial run's forecast: the learning curve L(t) = E + A·t^(−α) fitted to the run's own points, read
/// at a later token count.
///
/// Temporal scaling of one run follows the same saturating power law as final losses across runs
/// (Kaplan et al. 2020, "Scaling Laws for Neural Language Models", arXiv:2001.08361, §5 and eq. 5.6
/// L(N, S) on steps; Hoffmann et al. 2022 Approach 1 reads curves the same way). The fit is
/// ``SaturatingPowerLaw`` on `tokens` under the law's default objective (Huber on log residuals).
/// ``interval`` is the interval for the loss this run will log at the target — the law's parameter
/// uncertainty plus the curve's own point-to-point scatter (``Uncertainty/Prediction/newRunInterval``);
/// ``lawInterval`` is the parameter part alone. A learning-rate schedule that has not finished decaying
/// by the last fitted point bends the curve down later: the forecast then over-predicts the final loss.
public struct CurveForecast: Sendable {
    /// The run's identifier.
    public let run: String
    /// Tokens seen at which the loss is forecast.
    public let target: Double
    /// The learning-curve fit.
    public let fit: FitResult
    /// Its uncertainty.
    public let uncertainty: Uncertainty
    /// The forecast loss at ``target``.
    public let loss: Double
    /// The new-run interval: where the loss the run logs at ``target`` will land if the curve's form is
    /// right (parameter uncertainty and the curve's scatter).
    public let newRunInterval: Interval
    /// Interval of the fitted curve alone (parameter uncertainty only).
    public let lawInterval: Interval
    /// The interval to trust: ``newRunInterval`` widened by the forecast error the curve showed when it
    /// forecast its own later points from earlier prefixes (``ForecastCalibration``).
    public let calibratedInterval: Interval
    /// The forecast-error calibration behind ``calibratedInterval``.
    public let calibration: ForecastCalibration
    /// The target over the last fitted token count.
    public let extrapolation: Double
    /// Points fitted, skipped as warmup, and left out after ``CurveForecastOptions/through``.
    public let pointsUsed: Int, pointsSkipped: Int, pointsHeldOut: Int
    /// Token range of the fitted points.
    public let fittedTokens: ClosedRange<Double>
    /// The loss the run logged at exactly ``target`` tokens, if it did.
    public let actual: Double?

    /// The new-run interval under its former name.
    @available(*, deprecated, renamed: "newRunInterval")
    public var interval: Interval { newRunInterval }
}

extension TrainingCurve {
    /// Fits this run's learning curve and forecasts its loss at `target` tokens.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a curve that fails
    ///   ``validate()``, a bad target, warmup or level, or when fewer than 4 points remain to fit; fit
    ///   errors otherwise.
    public func forecast(at target: Double, options: CurveForecastOptions = CurveForecastOptions()) throws(ScalingLawsError) -> CurveForecast {
        try validate()
        guard target.isFinite, target > 0 else {
            throw .invalidOption(option: .curveTokens, message: "expected a positive token count such as 1.4e12, got \(target)")
        }
        if let t = options.through, !(t.isFinite && t > 0) {
            throw .invalidOption(option: .through, message: "expected a positive token count, got \(t)")
        }
        let prefix = try fitPrefix(through: options.through, warmup: options.warmup)
        let fit = prefix.fit, used = prefix.used
        let last = tokens[used.last!]
        guard target >= tokens[used.first!] else {
            throw .invalidOption(option: .curveTokens, message: "\(formatQuantity(target)) tokens lies before the first fitted point of run \"\(run)\" (\(formatQuantity(tokens[used.first!])) tokens): forecast a later point")
        }
        let ratio = target / last
        guard ratio <= Self.largestRatio else {
            throw .invalidOption(option: .curveTokens, message: "\(formatQuantity(target)) tokens is \(formatQuantity(ratio))× the last fitted point (\(formatQuantity(last))); no learning curve extrapolates beyond \(formatQuantity(Self.largestRatio))×")
        }
        let uncertainty: Uncertainty
        if var b = options.bootstrap {
            b.level = options.level
            uncertainty = try fit.bootstrap(b)
        } else {
            uncertainty = try fit.asymptoticUncertainty(level: options.level)
        }
        guard let prediction = try uncertainty.predictions([Run(params: params, tokens: target)]).first else {
            throw .fitFailed(law: fit.law.name, message: "no prediction at \(formatQuantity(target)) tokens")
        }
        let calibration = calibrate(through: last, warmup: options.warmup)
        let calibrated = prediction.value > 0 && prediction.runLogSD.isFinite
            ? calibration.interval(value: prediction.value, plainSD: prediction.runLogSD, ratio: ratio, level: options.level,
                                   plainDegreesOfFreedom: uncertainty.plainDegreesOfFreedom)
            : Interval(.nan, .nan)
        return CurveForecast(run: run, target: target, fit: fit, uncertainty: uncertainty, loss: prediction.value,
                             newRunInterval: prediction.newRunInterval, lawInterval: prediction.lawInterval,
                             calibratedInterval: calibrated, calibration: calibration, extrapolation: ratio,
                             pointsUsed: used.count, pointsSkipped: prefix.kept - used.count,
                             pointsHeldOut: tokens.count - prefix.kept,
                             fittedTokens: tokens[used.first!]...last,
                             actual: tokens.firstIndex(of: target).map { losses[$0] })
    }

    /// The largest forecast ratio (target over the last fitted token count) a curve forecast accepts.
    public static let largestRatio = 1000.0

    /// Fits the saturating power law to the points up to `through` tokens past the warmup cut: the fit,
    /// the indices of the fitted points and the number of points up to `through`.
    private func fitPrefix(through: Double?, warmup: Warmup) throws(ScalingLawsError) -> (fit: FitResult, used: [Int], kept: Int) {
        let kept = tokens.indices.filter { through == nil || tokens[$0] <= through! }
        guard let last = kept.last.map({ tokens[$0] }) else {
            throw .invalidOption(option: .through, message: "run \"\(run)\" logs no point at or below \(formatQuantity(through!)) tokens (its first is at \(formatQuantity(tokens[0])))")
        }
        let cutoff: Double
        switch warmup {
        case .tokens(let t):
            guard t.isFinite, t >= 0 else { throw .invalidOption(option: .skipTokens, message: "expected a token count ≥ 0, got \(t)") }
            cutoff = t
        case .fraction(let f):
            guard f >= 0, f < 1 else { throw .invalidOption(option: .skipFraction, message: "expected a fraction in [0, 1), got \(f)") }
            cutoff = f * last
        }
        let used = kept.filter { tokens[$0] > cutoff }
        let law = SaturatingPowerLaw(x: Variable.tokens)
        guard used.count >= law.parameters.count + 1 else {
            throw .invalidOption(option: .through, message: "run \"\(run)\" has \(used.count) point\(used.count == 1 ? "" : "s") between the warmup cut (\(formatQuantity(cutoff)) tokens) and \(formatQuantity(last)) tokens; the learning curve needs at least \(law.parameters.count + 1)")
        }
        let runs = used.map { Run(params: params, tokens: tokens[$0], loss: losses[$0], group: nil) }
        let fit = try law.fit(runs, options: FitOptions(objective: law.defaultObjective ?? Objective()))
        return (fit, used, kept.count)
    }

    /// Calibrates the forecast-error term by rolling-origin backtests inside the points up to `through`:
    /// the curve is refitted on the points up to 30%, 40%, …, 80% of `through` (same warmup rule) and
    /// forecasts the later points up to `through` (``ForecastCalibration``, prior
    /// ``ForecastCalibration/Prior/learningCurve``). Origins with too few points are skipped.
    public func calibrate(through: Double, warmup: Warmup = .fraction(0.1)) -> ForecastCalibration {
        var samples = [ForecastCalibration.Sample]()
        // A curve that fails validate() or a bound that is not a token count gives no inner backtest:
        // the calibration is then the prior alone.
        guard (try? validate()) != nil, through.isFinite, through > 0 else {
            return ForecastCalibration(axis: Variable.tokens, samples: samples, prior: .learningCurve)
        }
        var origin = 0
        for g in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8] {
            guard let inner = try? fitPrefix(through: g * through, warmup: warmup),
                  inner.used.count >= 6,
                  let uncertainty = try? inner.fit.asymptoticUncertainty(level: 0.95) else { continue }
            let reach = tokens[inner.used.last!]
            let later = tokens.indices.filter { tokens[$0] > reach && tokens[$0] <= through }
            guard !later.isEmpty,
                  let predictions = try? uncertainty.predictions(later.map { Run(params: params, tokens: tokens[$0]) }) else { continue }
            for (k, i) in later.enumerated() where predictions[k].value > 0 {
                samples.append(.init(origin: origin, ratio: tokens[i] / reach,
                                     logError: log(losses[i]) - log(predictions[k].value), plainSD: predictions[k].runLogSD))
            }
            origin += 1
        }
        return ForecastCalibration(axis: Variable.tokens, samples: samples, prior: .learningCurve)
    }
}
