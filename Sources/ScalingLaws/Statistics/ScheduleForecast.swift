import Foundation

/// How to fit a schedule-aware law and forecast a run.
public struct ScheduleForecastOptions: Sendable, Hashable {
    /// The objective (default: Σ Huber_δ(ln L − ln L̂), δ = 10⁻³, as the published fits).
    public var objective: Objective = Objective()
    /// Fixed values, ties, bounds and start values (``ScheduleAwareLaw/defaultFixed`` applies to
    /// parameters these do not mention).
    public var constraints: ParameterConstraints = ParameterConstraints()
    /// Confidence level of the intervals.
    public var level: Double = 0.95
    /// Steps of the forecast run at which to report the loss besides its logged steps and its last step.
    public var at: [Double] = []
    /// Fit the forecast run's own points up to this step (a run in progress); nil: none of them.
    public var through: Double? = nil
    /// Estimate the forecast error by backtests within the data (see ``ScheduleForecast``); without it
    /// intervals carry parameter uncertainty only.
    public var backtest: Bool = true
    /// Also forecast this many evenly spaced steps of the run's schedule (e.g. to draw a planned run's curve).
    public var gridPoints: Int = 0
    /// How many of the best start-search candidates the fit polishes (``FitOptions/polishedStarts``).
    public var polishedStarts: Int = 4

    public init() {}
}

/// A forecast of one run's loss curve from its learning-rate schedule by a schedule-aware law fitted to
/// other runs of the same model (and to the run's own points up to ``through``).
///
/// **Intervals.** Each interval is for the loss the run will log at that step. On the log scale its
/// half-width is √((z·σ_param)² + (t_J·σ_backtest)² + (z·b)²):
/// - σ_param: the fitted curve's parameter uncertainty (M-estimator sandwich covariance, delta method);
/// - σ_backtest: the forecast error measured inside the data by a rolling-origin backtest, scaled by
///   Student's t quantile with as many degrees of freedom as held-out runs (z for the other terms). Each
///   fitted run j in turn is held out: the law is refitted to the other runs (plus the forecast run's
///   prefix when there is one) and to j's own points up to the same fraction of j's schedule as the
///   forecast's cut, and j's later points are forecast as far ahead. σ²_backtest at a point is the mean
///   square of the log errors ln(actual/predicted) of the held-out points at a similar position in the
///   forecast horizon (a Gaussian kernel of bandwidth 0.15 in the horizon fraction), each held-out run
///   weighted equally; past a cut, plus κ²·max(0, Δ² − Δ̄²) when the forecast extrapolates a larger
///   predicted change Δ = ln(L̂(cut)/L̂(step)) than the held-out runs did at that position (Δ̄², same
///   kernel): a decay still ahead of the forecast run, say, when the backtested runs had none left. κ² is
///   the slope of the held-out squared errors on their own Δ² (non-negative least squares with an
///   intercept, each held-out run weighted equally): the error per unit of change forecast;
/// - b: the forecast run's recent misfit, the mean log residual of its own fitted points in the last 10%
///   of its fitted steps (at least 3 points; 0 without a cut). Errors along a run are strongly
///   correlated, so a misfit the fit leaves at the cut tends to persist.
///
/// Parameter uncertainty alone is far too narrow on real curves (errors are correlated along a run);
/// the backtest term is what makes the 95% interval cover about 95% of held-out points.
public struct ScheduleForecast: Sendable {
    /// One forecast point.
    public struct Point: Sendable, Hashable {
        /// The step.
        public var step: Double
        /// The predicted loss.
        public var predicted: Double
        /// Where the logged loss will land at ``ScheduleForecastOptions/level``.
        public var interval: Interval
        /// The logged loss, when the run logged one at this step.
        public var actual: Double?
        /// The learning rate at this step.
        public var lr: Double

        /// A point: the predicted loss at `step` with its interval, the logged loss if any, and the rate.
        public init(step: Double, predicted: Double, interval: Interval, actual: Double? = nil, lr: Double) {
            self.step = step
            self.predicted = predicted
            self.interval = interval
            self.actual = actual
            self.lr = lr
        }
    }

    /// The forecast run.
    public let run: String
    /// The fit (parameters, objective, uncertainty source).
    public let fit: FitResult
    /// The runs fitted (the forecast run's prefix included when ``through`` is set).
    public let fittedRuns: [String]
    /// Every logged or requested step of the run, in order.
    public let points: [Point]
    /// The loss at the run's last scheduled step.
    public let final: Point
    /// Mean of |actual − predicted|/actual over the run's logged points after ``through``, when there are any.
    public let meanRelativeError: Double?
    /// The cut: the run's own points up to this step were fitted.
    public let through: Double?
    /// Confidence level.
    public let level: Double
    /// Held-out runs of the backtest (empty when none could be run).
    public let backtestRuns: [String]
    /// Number of held-out points the error term was estimated from.
    public let backtestPoints: Int
    /// RMS log error of the backtest over all its points (nil when none).
    public let backtestError: Double?
    /// κ: the backtest's forecast error per unit of predicted log-loss change past the cut, which widens the
    /// intervals where the forecast extrapolates more change than the backtest did (nil without a cut or a
    /// backtest).
    public let changeErrorScale: Double?
    /// b: mean log residual ln(actual/predicted) of the forecast run's own fitted points nearest the cut
    /// (nil without a cut); it enters the intervals as z·b.
    public let recentMisfit: Double?
    /// Things a careful reader should know (no backtest possible, all parameters fixed…).
    public let warnings: [String]
}

/// Fitting and forecasting schedule-aware laws on ``ScheduledRun``s.
public enum ScheduleCurves {
    /// The points of `runs` as law inputs (schedule index i+1 for run i; the step), skipping points at
    /// or before a run's first scheduled step.
    static func points(_ runs: [ScheduledRun]) -> [Run] {
        var out = [Run]()
        for (i, run) in runs.enumerated() {
            for (step, loss) in zip(run.steps, run.losses) where step > run.schedule.firstStep && run.schedule.area(through: step) > 0 {
                out.append(Run(loss: loss, values: [ScheduleVariable.schedule: Double(i + 1), ScheduleVariable.step: step],
                               group: run.name))
            }
        }
        return out
    }

    /// `constraints` with the law's default fixed values for parameters they do not mention.
    static func withDefaults(_ law: any ScheduleAwareLaw, _ constraints: ParameterConstraints) -> ParameterConstraints {
        var c = constraints
        for (name, value) in law.defaultFixed {
            let mentioned = c.fixed[name] != nil || c.bounds[name] != nil || c.initial[name] != nil
                || c.ties[name] != nil || c.ties.values.contains(name)
            if !mentioned { c.fixed[name] = value }
        }
        return c
    }

    /// Fits `law` to the logged points of `runs` (shared parameters, each run under its own schedule).
    ///
    /// - Throws: ``ScalingLawsError`` from the fit (too few points, invalid constraints, …).
    public static func fit(_ law: any ScheduleAwareLaw, runs: [ScheduledRun], objective: Objective = Objective(),
                           constraints: ParameterConstraints = ParameterConstraints(),
                           start: [Double]? = nil, polishedStarts: Int = 4) throws(ScalingLawsError) -> FitResult {
        var options = FitOptions(objective: objective)
        options.polishedStarts = polishedStarts
        options.constraints = withDefaults(law, constraints)
        options.start = start
        let data = points(runs)
        guard !data.isEmpty else {
            throw .insufficientData("no logged loss to fit in runs \(runs.map(\.name).joined(separator: ", ")); name runs with losses (\(.trainSplit)) or give every parameter (\(.fixed))")
        }
        let inputs = Inputs(columns: law.variables.map { v in data.map { $0.value(of: v)! } })
        let bound = law.bound(to: runs.map(\.schedule)).prepared(for: inputs)
        return try bound.fit(data, options: options)
    }

    /// Forecasts run `target` of `runs` from the runs named in `train` (all others when empty).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for an unknown run, a cut or step
    ///   outside the schedule, or a forecast step the law gives no finite loss at (no learning-rate area
    ///   before it); fit errors otherwise.
    public static func forecast(_ law: any ScheduleAwareLaw, runs: [ScheduledRun], target: String, train: [String] = [],
                                options: ScheduleForecastOptions = ScheduleForecastOptions()) throws(ScalingLawsError) -> ScheduleForecast {
        guard let targetRun = runs.first(where: { $0.name == target }) else {
            throw .invalidOption(option: .run, message: "no run \"\(target)\"; runs: \(runs.map(\.name).joined(separator: ", "))")
        }
        var trainRuns = [ScheduledRun]()
        if train.isEmpty {
            trainRuns = runs.filter { $0.name != target && !$0.losses.isEmpty }
        } else {
            for name in train {
                guard let r = runs.first(where: { $0.name == name }) else {
                    throw .invalidOption(option: .trainSplit, message: "no run \"\(name)\"; runs: \(runs.map(\.name).joined(separator: ", "))")
                }
                guard name != target else {
                    throw .invalidOption(option: .trainSplit, message: "run \"\(name)\" is the forecast run; fit its own points with \(.through)")
                }
                trainRuns.append(r)
            }
        }
        guard options.level > 0, options.level < 1 else {
            throw .invalidOption(option: .level, message: "expected a level strictly between 0 and 1, got \(options.level)")
        }
        let schedule = targetRun.schedule
        if let c = options.through, !(c.isFinite && schedule.covers(c)) {
            throw .invalidOption(option: .through, message: "step \(formatQuantity(c)) is outside run \"\(target)\"'s schedule (steps \(formatQuantity(schedule.firstStep)) to \(formatQuantity(schedule.lastStep)))")
        }
        for s in options.at where !(s.isFinite && schedule.covers(s) && s > schedule.firstStep) {
            throw .invalidOption(option: .steps, message: "step \(formatQuantity(s)) is outside run \"\(target)\"'s schedule (after \(formatQuantity(schedule.firstStep)), up to \(formatQuantity(schedule.lastStep)))")
        }
        var fitted = trainRuns
        let prefix = options.through.map { targetRun.through($0) }
        if let prefix, !prefix.losses.isEmpty { fitted.append(prefix) }
        let fraction = options.through.map { ($0 - schedule.firstStep) / max(schedule.lastStep - schedule.firstStep, 1) } ?? 0
        let model = try ScheduleModel(law, fitted: fitted, backtested: trainRuns, cutFraction: fraction, options: options)
        return try finite(model.forecast(targetRun, through: options.through, at: options.at + grid(schedule, options.gridPoints)),
                          option: .run)
    }

    /// `forecast` when every predicted loss is a positive finite number. A schedule with no learning-rate
    /// area before a forecast step (a rate of 0 throughout, or a single row) has no loss under the law:
    /// refused, rather than printed as NaN.
    static func finite(_ forecast: ScheduleForecast, option: Setting) throws(ScalingLawsError) -> ScheduleForecast {
        if let p = ([forecast.final] + forecast.points).first(where: { !($0.predicted.isFinite && $0.predicted > 0) }) {
            throw .invalidOption(option: option, message: "the \(forecast.fit.law.name) law gives no finite loss for run \"\(forecast.run)\" at step \(formatQuantity(p.step)) (got \(p.predicted)): the schedule needs a learning rate above 0 before the steps it forecasts")
        }
        return forecast
    }

    /// Ranks planned schedules: fits `law` once on `train` (every run of `runs` with losses when empty),
    /// estimates the forecast error once by backtest, and forecasts each candidate from its schedule
    /// alone. The forecasts come back sorted by predicted final loss, lowest first.
    public static func rank(_ law: any ScheduleAwareLaw, runs: [ScheduledRun], train: [String] = [], candidates: [ScheduledRun],
                            options: ScheduleForecastOptions = ScheduleForecastOptions()) throws(ScalingLawsError) -> [ScheduleForecast] {
        var trainRuns = [ScheduledRun]()
        if train.isEmpty {
            trainRuns = runs.filter { !$0.losses.isEmpty }
        } else {
            for name in train {
                guard let r = runs.first(where: { $0.name == name }) else {
                    throw .invalidOption(option: .trainSplit, message: "no run \"\(name)\"; runs: \(runs.map(\.name).joined(separator: ", "))")
                }
                trainRuns.append(r)
            }
        }
        guard !candidates.isEmpty else { throw .invalidOption(option: .candidates, message: "no candidate schedule") }
        // A step is forecast for the candidates whose schedule covers it; one that no candidate covers
        // would be dropped from every forecast without a word.
        for s in options.at where !candidates.contains(where: { $0.schedule.covers(s) && s > $0.schedule.firstStep }) {
            let last = candidates.map(\.schedule.lastStep).max() ?? 0
            throw .invalidOption(option: .steps, message: "step \(formatQuantity(s)) lies outside every candidate schedule (the longest ends at step \(formatQuantity(last)))")
        }
        let model = try ScheduleModel(law, fitted: trainRuns, backtested: trainRuns, cutFraction: 0, options: options)
        var out = [ScheduleForecast]()
        for c in candidates {
            let f = model.forecast(c, through: nil, at: options.at.filter { c.schedule.covers($0) && $0 > c.schedule.firstStep } + grid(c.schedule, options.gridPoints))
            out.append(try finite(f, option: .candidates))
        }
        return out.sorted { $0.final.predicted < $1.final.predicted }
    }

    /// `count` whole steps evenly spaced over the schedule, after its first step.
    static func grid(_ s: LearningRateSchedule, _ count: Int) -> [Double] {
        guard count > 0 else { return [] }
        let span = s.lastStep - s.firstStep
        return Array(Set((1...count).map { (s.firstStep + span * Double($0) / Double(count)).rounded() }.filter { $0 > s.firstStep })).sorted()
    }

    /// PredE: the mean over `runs` of each run's mean relative error |L − L̂|/L over its logged points,
    /// predicted by `law` at parameters `theta`.
    public static func predictionError(_ law: any ScheduleAwareLaw, parameters theta: [Double], runs: [ScheduledRun]) -> Double {
        let perRun = runs.filter { !$0.losses.isEmpty }.map { run -> Double in
            let p = law.predict(theta, schedule: run.schedule, steps: run.steps)
            return zip(run.losses, p).reduce(0) { $0 + abs($1.0 - $1.1) / $1.0 } / Double(run.losses.count)
        }
        return perRun.isEmpty ? .nan : perRun.reduce(0, +) / Double(perRun.count)
    }
}

/// A schedule-aware law fitted to runs, with its forecast-error model: what ``ScheduleCurves`` forecasts from.
struct ScheduleModel {
    let law: any ScheduleAwareLaw
    let fit: FitResult
    let fittedRuns: [String]
    let allFixed: Bool
    let level: Double
    /// Covariance of the free solver variables, and the layout mapping them to parameters.
    let covariance: (Matrix, ParameterLayout, [Double])?
    /// Backtest log errors with the held-out run (index), the position in the forecast horizon, and the
    /// log change ln(L̂(cut)/L̂(step)) the refit predicted from the cut to that point (0 without a cut).
    let errors: [(run: Int, position: Double, error: Double, change: Double)]
    /// Whether the forecasts are made past a cut (a run in progress), so that changes since it count.
    let pastCut: Bool
    /// κ²: squared forecast error per unit squared predicted change (see ``ScheduleForecast``).
    let changeVariance: Double
    let heldOut: [String]
    let warnings: [String]

    init(_ law: any ScheduleAwareLaw, fitted: [ScheduledRun], backtested: [ScheduledRun], cutFraction fraction: Double,
         options: ScheduleForecastOptions) throws(ScalingLawsError) {
        self.law = law
        self.level = options.level
        let constraints = ScheduleCurves.withDefaults(law, options.constraints)
        let allFixed = (try? ParameterLayout(law: law, constraints: constraints))?.free.isEmpty ?? false
        self.allFixed = allFixed
        let fit: FitResult
        if allFixed && ScheduleCurves.points(fitted).isEmpty {
            fit = try FitResult(law: law.bound(to: []), parameters: constraints.fixed, objective: options.objective)
        } else {
            fit = try ScheduleCurves.fit(law, runs: fitted, objective: options.objective, constraints: options.constraints,
                                         polishedStarts: options.polishedStarts)
        }
        self.fit = fit
        self.fittedRuns = allFixed ? [] : fitted.map(\.name)
        var warnings = [String]()
        var covariance: (Matrix, ParameterLayout, [Double])? = nil
        if !fit.trainingSet.isEmpty && !allFixed {
            // Points taken as independent here: run-to-run error enters these intervals through the held-out
            // runs' backtest below, whose coverage was measured with this covariance (LearningRateSchedules).
            if let u = try? fit.asymptoticUncertainty(level: options.level, clustered: false), case let .asymptotic(c, layout, uu, _) = u.engine {
                covariance = (c, layout, uu)
            } else {
                warnings.append("the parameter covariance is undefined at this fit; intervals carry the backtest error only")
            }
        }
        self.covariance = covariance
        var errors = [(run: Int, position: Double, error: Double, change: Double)]()
        var heldOut = [String]()
        let pastCut = fraction > 0
        if options.backtest {
            // Each backtested run is forecast past the same cut as the forecast run, from a refit without
            // its later points; with every parameter given nothing is refitted, and its errors are the given
            // law's own on that run (the runs checked never include the forecast run).
            // The refits are independent: one a held-out run, on all cores (each a single polish, serial
            // inside), gathered in run order.
            let checked = backtested.filter { !$0.losses.isEmpty }
            let start = fit.parameters
            let refits: [[Double]?] = parallelMap(checked.count, chunks: allFixed ? 1 : checked.count) { k in
                let run = checked[k]
                if allFixed { return start }
                let cut = run.schedule.firstStep + fraction * (run.schedule.lastStep - run.schedule.firstStep)
                var backtestRuns = fitted.filter { $0.name != run.name }
                let own = run.through(cut)
                if !own.losses.isEmpty { backtestRuns.append(own) }
                guard !ScheduleCurves.points(backtestRuns).isEmpty else { return nil }
                return try? ScheduleCurves.fit(law, runs: backtestRuns, objective: options.objective,
                                               constraints: options.constraints, start: start).parameters
            }
            for (run, refit) in zip(checked, refits) {
                guard let parameters = refit else { continue }
                let cut = run.schedule.firstStep + fraction * (run.schedule.lastStep - run.schedule.firstStep)
                let later = run.steps.indices.filter { run.steps[$0] > cut }
                guard !later.isEmpty else { continue }
                let p = law.predict(parameters, schedule: run.schedule, steps: later.map { run.steps[$0] })
                let atCut = pastCut ? law.predict(parameters, schedule: run.schedule, steps: [cut])[0] : 1
                let span = max(run.schedule.lastStep - cut, 1)
                for (k, i) in later.enumerated() where p[k] > 0 && p[k].isFinite {
                    let change = pastCut && atCut > 0 && atCut.isFinite ? log(atCut / p[k]) : 0
                    errors.append((heldOut.count, (run.steps[i] - cut) / span, log(run.losses[i] / p[k]), change))
                }
                heldOut.append(run.name)
            }
            if allFixed {
                warnings.append(heldOut.isEmpty
                    ? "every parameter is given and no other run has losses to check the law on: the intervals are the points themselves"
                    : "every parameter is given: nothing was fitted; intervals carry the given law's error on \(heldOut.count) other run\(heldOut.count == 1 ? "" : "s") of the file")
            } else if heldOut.isEmpty {
                warnings.append("no backtest was possible (one fitted run or none): intervals carry parameter uncertainty only and are too narrow")
            }
        } else if allFixed {
            warnings.append("every parameter is given and the backtest is off: the intervals are the points themselves")
        }
        self.errors = errors
        self.pastCut = pastCut
        self.changeVariance = pastCut ? Self.changeVariance(errors) : 0
        self.heldOut = heldOut
        self.warnings = warnings
    }

    /// κ² of e² ≈ s² + κ²·Δ² over the backtest's points, by non-negative least squares in (s², κ²), each
    /// held-out run's points weighted 1/count so that every run counts once.
    static func changeVariance(_ errors: [(run: Int, position: Double, error: Double, change: Double)]) -> Double {
        var count = [Int: Double]()
        for e in errors { count[e.run, default: 0] += 1 }
        var sw = 0.0, sx = 0.0, sy = 0.0
        for e in errors {
            let w = 1 / count[e.run]!
            sw += w
            sx += w * e.change * e.change
            sy += w * e.error * e.error
        }
        guard sw > 0 else { return 0 }
        let mx = sx / sw, my = sy / sw
        var sxx = 0.0, sxy = 0.0, sx2 = 0.0, sxy0 = 0.0
        for e in errors {
            let w = 1 / count[e.run]!, x = e.change * e.change, y = e.error * e.error
            sxx += w * (x - mx) * (x - mx)
            sxy += w * (x - mx) * (y - my)
            sx2 += w * x * x
            sxy0 += w * x * y
        }
        func sse(_ a: Double, _ b: Double) -> Double {
            errors.reduce(0) { acc, e in
                let r = e.error * e.error - a - b * e.change * e.change
                return acc + r * r / count[e.run]!
            }
        }
        // The optimum is the unconstrained one when both are ≥ 0, else on the face s² = 0 or κ² = 0.
        var candidates = [(a: my, b: 0.0)]
        if sx2 > 0 { candidates.append((0, sxy0 / sx2)) }
        if sxx > 0 {
            let b = sxy / sxx, a = my - b * mx
            if a >= 0 && b >= 0 { candidates.append((a, b)) }
        }
        let best = candidates.min { sse($0.a, $0.b) < sse($1.a, $1.b) }!
        return best.b.isFinite ? max(best.b, 0) : 0
    }

    /// RMS backtest log error near `position` of the forecast horizon, and the number of held-out runs
    /// it comes from. Errors are weighted by a Gaussian kernel in the horizon position (bandwidth 0.15,
    /// so the scale varies smoothly along the forecast); each held-out run's weighted mean square counts
    /// equally, among the runs with at least one point's worth of weight near `position`.
    func backtestSD(_ position: Double) -> (sd: Double, runs: Int, changeMeanSquare: Double) {
        guard !errors.isEmpty else { return (0, 0, 0) }
        let bandwidth = 0.15
        var perRun = [Int: (sum: Double, change: Double, weight: Double)]()
        for e in errors {
            let u = (e.position - position) / bandwidth
            let w = exp(-0.5 * u * u)
            perRun[e.run, default: (0, 0, 0)].sum += w * e.error * e.error
            perRun[e.run, default: (0, 0, 0)].change += w * e.change * e.change
            perRun[e.run, default: (0, 0, 0)].weight += w
        }
        var used = perRun.values.filter { $0.weight >= 1 }
        if used.isEmpty {
            // Far from every held-out point (e.g. no backtest point this far ahead): all errors, unweighted.
            var all = [Int: (sum: Double, change: Double, weight: Double)]()
            for e in errors {
                all[e.run, default: (0, 0, 0)].sum += e.error * e.error
                all[e.run, default: (0, 0, 0)].change += e.change * e.change
                all[e.run, default: (0, 0, 0)].weight += 1
            }
            used = Array(all.values)
        }
        let msq = used.reduce(0) { $0 + $1.sum / $1.weight } / Double(used.count)
        let change = used.reduce(0) { $0 + $1.change / $1.weight } / Double(used.count)
        return (msq.squareRoot(), used.count, change)
    }

    /// b of ``ScheduleForecast/recentMisfit``: the mean of ln(actual/predicted) over the run's own points
    /// fitted (steps in `fitted`, predictions in `predicted`) in the last 10% of their steps, at least 3.
    static func recentMisfit(steps fitted: [Double], actual: [Double: Double], predicted: [Double: Double]) -> Double? {
        guard let first = fitted.first, let last = fitted.last else { return nil }
        let from = last - 0.1 * (last - first)
        var window = fitted.filter { $0 >= from }
        if window.count < 3 { window = Array(fitted.suffix(3)) }
        let logs = window.compactMap { s -> Double? in
            guard let a = actual[s], let p = predicted[s], a > 0, p > 0, p.isFinite else { return nil }
            return log(a / p)
        }
        return logs.isEmpty ? nil : logs.reduce(0, +) / Double(logs.count)
    }

    /// The forecast of `run` (its own points up to `through` were fitted, if any).
    func forecast(_ run: ScheduledRun, through: Double?, at: [Double]) -> ScheduleForecast {
        let schedule = run.schedule
        var steps = Set(run.steps.filter { $0 > schedule.firstStep })
        for s in at { steps.insert(s) }
        steps.insert(schedule.lastStep)
        let ordered = steps.sorted()
        let (predictor, inputs) = law.predictor(schedule: schedule, steps: ordered)
        let predicted = predictor.evaluate(fit.parameters, inputs)
        var paramSD = [Double](repeating: 0, count: ordered.count)
        if let (c, layout, u) = covariance {
            let p = u.count
            var gradients = [[Double]](repeating: [Double](repeating: 0, count: p), count: ordered.count)
            for j in 0..<p {
                let h = 1e-6 * max(1, abs(u[j]))
                var up = u, down = u
                up[j] += h
                down[j] -= h
                let fu = predictor.evaluate(layout.fullVector(free: up), inputs)
                let fd = predictor.evaluate(layout.fullVector(free: down), inputs)
                for i in ordered.indices { gradients[i][j] = (log(fu[i]) - log(fd[i])) / (2 * h) }
            }
            for i in ordered.indices {
                var v = 0.0
                for a in 0..<p { for b in 0..<p { v += gradients[i][a] * c[a, b] * gradients[i][b] } }
                paramSD[i] = v.isFinite ? max(v, 0).squareRoot() : 0
            }
        }
        let p = (1 + level) / 2
        let z = Quantiles.normal(p)
        let cut = through ?? schedule.firstStep
        let span = max(schedule.lastStep - cut, 1)
        let actualByStep = Dictionary(zip(run.steps, run.losses), uniquingKeysWith: { a, _ in a })
        // Past a cut: the change the fit predicts from the cut, and the misfit it leaves at the cut.
        var atCut = Double.nan, misfit: Double? = nil
        if let through, through > schedule.firstStep {
            if pastCut { atCut = law.predict(fit.parameters, schedule: schedule, steps: [through])[0] }
            let predictedByStep = Dictionary(zip(ordered, predicted), uniquingKeysWith: { a, _ in a })
            misfit = Self.recentMisfit(steps: run.steps.filter { $0 > schedule.firstStep && $0 <= through },
                                       actual: actualByStep, predicted: predictedByStep)
        }
        let b = misfit ?? 0
        var out = [ScheduleForecast.Point]()
        for (i, step) in ordered.enumerated() {
            let position = max(0, (step - cut) / span)
            let bt = backtestSD(position)
            // The error scale is estimated from `bt.runs` held-out runs (errors along one run are
            // strongly correlated): a new run's error over that scale is Student-t with that many degrees
            // of freedom; the parameter and misfit terms use the normal quantile.
            var variance = (z * paramSD[i]) * (z * paramSD[i]) + (z * b) * (z * b)
            if bt.runs > 0 {
                let t = Quantiles.studentT(p, degreesOfFreedom: Double(bt.runs))
                var msq = bt.sd * bt.sd
                if atCut > 0 && atCut.isFinite && predicted[i] > 0 {
                    let change = log(atCut / predicted[i])
                    msq += changeVariance * max(0, change * change - bt.changeMeanSquare)
                }
                variance += t * t * msq
            }
            let half = variance.squareRoot()
            let center = log(predicted[i])
            out.append(ScheduleForecast.Point(step: step, predicted: predicted[i],
                                              interval: Interval(exp(center - half), exp(center + half)),
                                              actual: actualByStep[step], lr: schedule.rate(at: step)))
        }
        let scored = out.filter { $0.actual != nil && $0.step > (through ?? -1) }
        let mre = scored.isEmpty ? nil : scored.reduce(0) { $0 + abs($1.actual! - $1.predicted) / $1.actual! } / Double(scored.count)
        let overall = errors.isEmpty ? nil : (errors.reduce(0) { $0 + $1.error * $1.error } / Double(errors.count)).squareRoot()
        return ScheduleForecast(run: run.name, fit: fit, fittedRuns: fittedRuns, points: out,
                                final: out.last { $0.step == schedule.lastStep }!, meanRelativeError: mre,
                                through: through, level: level, backtestRuns: heldOut,
                                backtestPoints: errors.count, backtestError: overall,
                                changeErrorScale: pastCut && !errors.isEmpty ? changeVariance.squareRoot() : nil,
                                recentMisfit: misfit, warnings: warnings)
    }
}
