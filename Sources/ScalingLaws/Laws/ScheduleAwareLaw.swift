/// A law of a whole loss curve given its run's learning-rate schedule (``MultiPowerLaw``, ``MomentumLaw``).
///
/// A law's input is per point, a schedule is per run: such a law carries the schedules of the runs it
/// is evaluated on (``schedules``), and each point names its run's schedule and its step through two
/// variables, ``ScheduleVariable/schedule`` (the 1-based index into ``schedules``) and
/// ``ScheduleVariable/step``. The solver sees an ordinary law; ``bound(to:)`` attaches the schedules.
public protocol ScheduleAwareLaw: ScalingLaw {
    /// The schedules the points refer to.
    var schedules: [LearningRateSchedule] { get }
    /// This law evaluating points against `schedules`.
    func bound(to schedules: [LearningRateSchedule]) -> Self
    /// Parameter values to hold unless the user constrains the parameter (e.g. the momentum decay λ).
    var defaultFixed: [String: Double] { get }
    /// This law with whatever depends on the points' schedules alone precomputed for `inputs`, so that
    /// repeated evaluations at other parameters (a fit) are cheaper. The result evaluates any point.
    func prepared(for inputs: Inputs) -> Self
}

extension ScheduleAwareLaw {
    public var defaultFixed: [String: Double] { [:] }
    public func prepared(for inputs: Inputs) -> Self { self }

    /// Predictions at `steps` of `schedule` under parameters `theta`.
    public func predict(_ theta: [Double], schedule: LearningRateSchedule, steps: [Double]) -> [Double] {
        let (law, inputs) = predictor(schedule: schedule, steps: steps)
        return law.evaluate(theta, inputs)
    }

    /// The law bound to `schedule` and prepared for `steps`, with those inputs: evaluate it at many
    /// parameter vectors.
    public func predictor(schedule: LearningRateSchedule, steps: [Double]) -> (law: Self, inputs: Inputs) {
        let inputs = Inputs(columns: [[Double](repeating: 1, count: steps.count), steps])
        return (bound(to: [schedule]).prepared(for: inputs), inputs)
    }
}

/// The variables through which schedule-aware laws read their points.
public enum ScheduleVariable {
    /// 1-based index of the point's schedule in the law's ``ScheduleAwareLaw/schedules``.
    public static let schedule = "schedule"
    /// The point's optimizer step.
    public static let step = "step"
}

extension Inputs {
    /// The schedule (0-based) and step of point i, or nil when the point does not refer to one of `count` schedules.
    @inline(__always) func schedulePoint(_ i: Int, count: Int) -> (Int, Double)? {
        let s = columns[0][i]
        guard s >= 1, s <= Double(count), s == s.rounded() else { return nil }
        return (Int(s) - 1, columns[1][i])
    }
}
