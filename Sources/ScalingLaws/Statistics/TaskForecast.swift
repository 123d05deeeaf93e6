import Foundation

/// Two-step downstream prediction (Dubey et al. 2024, "The Llama 3 Herd of Models", arXiv:2407.21783,
/// §3.2.1; Bhagia et al. 2024, "Establishing Task Scaling Laws via Compute-Efficient Model Ladders",
/// arXiv:2412.04403):
///
/// 1. a loss law maps (N, D) or C to the **task loss** (or bits-per-byte) L̂ — any law of this package
///    on `params`, `tokens`, `flops`, e.g. ``ChinchillaLaw`` or ``OvertrainedLaw``;
/// 2. a metric law g maps task loss to the metric — ``SigmoidMetricLaw`` (accuracy) or
///    ``ExponentialErrorLaw`` (error) — fitted on the models' observed task losses;
///
/// and the chain predicts metric = g(L̂(N, D)).
///
/// The two steps may be fitted on different runs (`metricRuns`): Gadre et al. 2024 ("Language models
/// scale reliably with over-training and on downstream tasks", arXiv:2403.08540, §3) fit the loss→error
/// law on more models than the loss law, including larger ones, and Llama 3 fits step 2 on its scaling
/// ladder plus the Llama 2 models, because step 2 must span the task losses of the targets. A
/// prediction whose task loss lies outside the losses step 2 was fitted on is flagged
/// (``TaskPrediction/lossOutsideMetricFit``).
///
/// **Intervals** (delta method, the two fits treated as independent): with s_L the standard deviation
/// of L̂ from step 1's parameters, s_g that of g at L̂ from step 2's parameters and g′ = dg/dL at L̂,
/// the chain's own interval (``TaskPrediction/lawInterval``) has variance g′²·s_L² + s_g². The interval
/// for one new model (``TaskPrediction/newRunInterval``) adds the scatter of each step's data about its law,
/// σ₁ (task loss, carried through g′) and σ₂ (the metric): g′²·(s_L² + σ₁²) + s_g² + σ₂².
public struct TaskForecast: Sendable {
    /// Step 1: (N, D) or C → task loss.
    public let lossFit: FitResult
    /// Step 2: task loss → metric.
    public let metricFit: FitResult
    public let lossUncertainty: Uncertainty
    public let metricUncertainty: Uncertainty
    /// The task losses step 2 was fitted on, lowest to highest.
    public let metricFitLosses: ClosedRange<Double>

    /// Fits both steps. Each run's ``Run/loss`` is its task loss; its metric is `values[metric]`.
    ///
    /// - Parameters:
    ///   - runs: one row per model: N, D (or C), task loss as ``Run/loss``, and the metric (step 1, and
    ///     step 2 unless `metricRuns` is given).
    ///   - metricRuns: the models step 2 is fitted on (task loss as ``Run/loss`` and the metric); nil: `runs`.
    ///   - metric: the key of the metric in ``Run/values``.
    ///   - lossLaw: step 1, from (N, D) or C to the task loss.
    ///   - metricLaw: a one-variable law; its variable is filled with each run's task loss.
    ///   - lossOptions: how step 1 is fitted.
    ///   - metricOptions: how step 2 is fitted (nil: the metric law's default objective).
    ///   - level: confidence level of the intervals.
    /// - Throws: ``ScalingLawsError`` when a run lacks its metric, the metric law reads more than one
    ///   variable, or either fit fails.
    public init(runs: [Run], metricRuns: [Run]? = nil, metric: String, lossLaw: any ScalingLaw, metricLaw: any ScalingLaw,
                lossOptions: FitOptions = FitOptions(), metricOptions: FitOptions? = nil,
                level: Double = 0.95) throws(ScalingLawsError) {
        guard metricLaw.variables.count == 1 else {
            throw .invalidOption(option: .lawMetric, message: "the step-2 law maps the task loss to the metric and must read one variable; the \(metricLaw.name) law reads \(metricLaw.variables.joined(separator: ", "))")
        }
        var stepTwoRuns = [Run]()
        for (index, run) in (metricRuns ?? runs).enumerated() {
            guard let m = run.values[metric], m.isFinite else {
                throw .invalidRun(index: index, message: "the run has no finite \(metric) for the step-2 fit")
            }
            guard let l = run.loss, l.isFinite else {
                throw .invalidRun(index: index, message: "the run has no finite task loss")
            }
            stepTwoRuns.append(Run(loss: m, values: [metricLaw.variables[0]: l], group: run.group, weight: run.weight))
        }
        let fittedLosses = (metricRuns ?? runs).compactMap(\.loss)
        guard let lowest = fittedLosses.min(), let highest = fittedLosses.max() else {
            throw .insufficientData("step 2 needs models with a task loss and \(metric)")
        }
        metricFitLosses = lowest...highest
        lossFit = try lossLaw.fit(runs, options: lossOptions)
        metricFit = try metricLaw.fit(stepTwoRuns, options: metricOptions ?? FitOptions(objective: metricLaw.defaultObjective ?? Objective()))
        lossUncertainty = try lossFit.asymptoticUncertainty(level: level)
        metricUncertainty = try metricFit.asymptoticUncertainty(level: level)
    }

    /// The chained predictions at `targets` (runs with N, D and/or C).
    ///
    /// - Throws: ``ScalingLawsError/invalidRun(index:message:)`` when a target lacks a variable of the
    ///   loss law, or ``ScalingLawsError/fitFailed(law:message:)`` when an interval is undefined there.
    public func predict(_ targets: [Run]) throws(ScalingLawsError) -> [TaskPrediction] {
        let z = Quantiles.normal((1 + lossUncertainty.level) / 2)
        let steps = try lossUncertainty.predictions(targets)
        let lossLaw = lossFit.law, metricLaw = metricFit.law
        let logSpace = lossFit.objective.space == .log
        let inputs = try lossFit.inputs(for: targets)
        var out = [TaskPrediction]()
        for (i, step) in steps.enumerated() {
            let point = Inputs(columns: inputs.columns.map { [$0[i]] })
            let loss = step.value
            guard let e1 = lossUncertainty.estimate(positive: logSpace, { lossLaw.evaluate($0, point)[0] }) else {
                throw .fitFailed(law: lossLaw.name, message: "the task-loss interval is undefined at target \(i + 1)")
            }
            // Standard deviations of L̂ (parameters) and of a new model's task loss about the law, in loss units.
            let sL = logSpace ? loss * e1.scaleStandardDeviation : e1.scaleStandardDeviation
            let s1 = logSpace ? loss * lossUncertainty.residualScale : lossUncertainty.residualScale
            func g(_ theta: [Double], _ l: Double) -> Double { metricLaw.evaluate(theta, Inputs(columns: [[l]]))[0] }
            let metric = g(metricFit.parameters, loss)
            let h = 1e-6 * max(1, abs(loss))
            let slope = (g(metricFit.parameters, loss + h) - g(metricFit.parameters, loss - h)) / (2 * h)
            guard let e2 = metricUncertainty.estimate(positive: false, { g($0, loss) }), metric.isFinite, slope.isFinite else {
                throw .fitFailed(law: metricLaw.name, message: "the metric interval is undefined at task loss \(loss)")
            }
            let sg = e2.scaleStandardDeviation, s2 = metricUncertainty.residualScale
            let lawSD = (slope * slope * sL * sL + sg * sg).squareRoot()
            let newSD = (slope * slope * (sL * sL + s1 * s1) + sg * sg + s2 * s2).squareRoot()
            out.append(TaskPrediction(target: targets[i].completed(flopsPerParamToken: lossFit.flopsPerParamToken),
                                      loss: loss, lossInterval: step.lawInterval, metric: metric,
                                      newRunInterval: Interval(metric - z * newSD, metric + z * newSD),
                                      lawInterval: Interval(metric - z * lawSD, metric + z * lawSD),
                                      lossOutsideMetricFit: !metricFitLosses.contains(loss)))
        }
        return out
    }
}

/// One chained prediction.
public struct TaskPrediction: Sendable, Hashable {
    /// The target (N, D, C completed by C = k·N·D).
    public var target: Run
    /// Predicted task loss (step 1).
    public var loss: Double
    /// Interval of the step-1 law at the target.
    public var lossInterval: Interval
    /// Predicted metric (step 2 at the predicted task loss).
    public var metric: Double
    /// The new-run interval: the metric of one new model (both steps' parameters and scatter).
    public var newRunInterval: Interval
    /// Interval of the chained law alone (both steps' parameters).
    public var lawInterval: Interval
    /// Whether the predicted task loss lies outside the task losses step 2 was fitted on, so that the
    /// metric law is extrapolated.
    public var lossOutsideMetricFit: Bool = false

    /// The new-run interval under its former name.
    @available(*, deprecated, renamed: "newRunInterval")
    public var interval: Interval {
        get { newRunInterval }
        set { newRunInterval = newValue }
    }
}
