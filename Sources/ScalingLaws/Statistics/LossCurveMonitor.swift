/// Forecasts a training run's final loss while it trains, under its planned learning-rate schedule.
///
/// Feed it (step, lr, loss) as training goes — the loss may be nil on steps where only the rate is
/// known — and read ``forecast()``: a schedule-aware law (``MultiPowerLaw`` by default) fitted to the
/// reference runs of the same model (finished runs under other schedules) and to this run's losses so
/// far, reading the rest of the run off the planned schedule. The schedule used is the rates recorded
/// so far followed by the plan after the last recorded step.
///
/// ```swift
/// var monitor = try LossCurveMonitor(plannedSchedule: plan, reference: finishedRuns)
/// for step in 1...totalSteps {
///     let loss = trainOneStep()
///     try monitor.record(step: Double(step), lr: optimizer.lr, loss: step % 128 == 0 ? loss : nil)
///     if step % 4000 == 0 { print(try monitor.forecast().final) }
/// }
/// ```
public struct LossCurveMonitor: Sendable {
    /// The law forecasting the curve.
    public let law: any ScheduleAwareLaw
    /// The planned schedule of the whole run.
    public let plan: LearningRateSchedule
    /// Finished runs of the same model (other schedules) that the law is fitted to along with this run.
    public let reference: [ScheduledRun]
    /// Fit and interval options (``ScheduleForecastOptions/through`` is set by the monitor).
    public var options: ScheduleForecastOptions
    /// The run's name in forecasts.
    public let name: String
    /// Recorded steps and rates.
    public private(set) var recordedSteps = [Double](), recordedRates = [Double]()
    /// Steps at which losses were recorded, and the losses.
    public private(set) var lossSteps = [Double](), losses = [Double]()

    /// A monitor of a run under `plannedSchedule`, fitted with the `reference` runs.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` when a reference run is named `name`.
    public init(law: any ScheduleAwareLaw = MultiPowerLaw(), plannedSchedule: LearningRateSchedule,
                reference: [ScheduledRun] = [], options: ScheduleForecastOptions = ScheduleForecastOptions(),
                name: String = "current") throws(ScalingLawsError) {
        guard !reference.contains(where: { $0.name == name }) else {
            throw .invalidOption(option: .referenceName, message: "a reference run is already called \"\(name)\"")
        }
        self.law = law
        self.plan = plannedSchedule
        self.reference = reference
        self.options = options
        self.name = name
    }

    /// Records one training step: its learning rate and, when evaluated, its loss.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for a step that is not a whole number
    ///   after the last recorded one, a negative or non-finite rate, or a non-positive loss.
    public mutating func record(step: Double, lr: Double, loss: Double? = nil) throws(ScalingLawsError) {
        guard step.isFinite, step >= 0, step == step.rounded() else {
            throw .invalidOption(option: .step, message: "expected a whole step number ≥ 0, got \(step)")
        }
        if let last = recordedSteps.last, !(step > last) {
            throw .invalidOption(option: .step, message: "steps must increase: got \(formatQuantity(step)) after \(formatQuantity(last))")
        }
        guard lr.isFinite, lr >= 0 else { throw .invalidOption(option: .lr, message: "expected a learning rate ≥ 0, got \(lr)") }
        if let loss, !(loss.isFinite && loss > 0) {
            throw .invalidOption(option: .loss, message: "expected a positive finite loss, got \(loss)")
        }
        recordedSteps.append(step)
        recordedRates.append(lr)
        if let loss {
            lossSteps.append(step)
            losses.append(loss)
        }
    }

    /// The schedule of the run: the plan before the first recorded step, the recorded rates, then the plan.
    public func schedule() throws(ScalingLawsError) -> LearningRateSchedule {
        guard let first = recordedSteps.first, let last = recordedSteps.last else { return plan }
        var steps = [Double](), rates = [Double]()
        for (s, r) in zip(plan.steps, plan.rates) where s < first { steps.append(s); rates.append(r) }
        steps += recordedSteps
        rates += recordedRates
        for (s, r) in zip(plan.steps, plan.rates) where s > last { steps.append(s); rates.append(r) }
        return try LearningRateSchedule(steps: steps, rates: rates)
    }

    /// The forecast of the run's loss curve to the end of its schedule, fitted on the reference runs and
    /// on the losses recorded so far.
    ///
    /// - Throws: ``ScalingLawsError`` when nothing can be fitted yet (no reference runs and no loss
    ///   recorded) or the fit fails.
    public func forecast() throws(ScalingLawsError) -> ScheduleForecast {
        let current = ScheduledRun(name: name, schedule: try schedule(), steps: lossSteps, losses: losses)
        var o = options
        o.through = lossSteps.last
        return try ScheduleCurves.forecast(law, runs: reference + [current], target: name, train: reference.map(\.name), options: o)
    }
}
