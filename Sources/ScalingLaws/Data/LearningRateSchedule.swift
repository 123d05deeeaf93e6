import Foundation

/// A learning-rate schedule: the rate at a list of breakpoint steps, linear in the step between them.
///
/// The per-step rate η_τ at a whole step τ between breakpoints (a, η_a) and (b, η_b) is
/// η_a + (η_b − η_a)·(τ − a)/(b − a). The schedule starts at its first breakpoint: steps before it
/// contribute nothing. The learning-rate area is S1(t) = Σ_{τ=first…t} η_τ, computed in closed form per
/// linear piece (a sum of a linear sequence), so it costs O(log pieces) at any step.
public struct LearningRateSchedule: Sendable, Hashable {
    /// Breakpoint steps, strictly increasing whole numbers ≥ 0.
    public let steps: [Double]
    /// The rate at each breakpoint (≥ 0).
    public let rates: [Double]
    /// S1 at each breakpoint.
    let prefix: [Double]

    /// The largest step a schedule may hold: 10⁹ optimizer steps, far beyond any training run. Above it
    /// the laws' sums over steps (the momentum law's is one term per step) would never finish, and past
    /// 2⁵³ a step + 1 is the same double.
    public static let maxStep = 1e9

    /// A schedule through the points (steps[i], rates[i]).
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` for no points, mismatched lengths,
    ///   steps that are not increasing whole numbers up to ``maxStep``, or a negative or non-finite rate.
    public init(steps: [Double], rates: [Double]) throws(ScalingLawsError) {
        guard !steps.isEmpty, steps.count == rates.count else {
            throw .invalidOption(option: .schedule, message: "a schedule needs at least one (step, lr) point and as many rates as steps")
        }
        for (i, s) in steps.enumerated() {
            guard s.isFinite, s >= 0, s == s.rounded(), s <= Self.maxStep else {
                throw .invalidOption(option: .schedule, message: "steps must be whole numbers from 0 to \(formatQuantity(Self.maxStep)), got \(s)")
            }
            if i > 0 && !(s > steps[i - 1]) {
                throw .invalidOption(option: .schedule, message: "steps must increase, got \(formatQuantity(steps[i - 1])) then \(formatQuantity(s))")
            }
            guard rates[i].isFinite, rates[i] >= 0 else {
                throw .invalidOption(option: .schedule, message: "learning rates must be finite and ≥ 0, got \(rates[i]) at step \(formatQuantity(s))")
            }
        }
        self.steps = steps
        self.rates = rates
        var prefix = [rates[0]]
        for j in 0..<(steps.count - 1) {
            let n = steps[j + 1] - steps[j]
            let slope = (rates[j + 1] - rates[j]) / n
            prefix.append(prefix[j] + n * rates[j] + slope * n * (n + 1) / 2)
        }
        self.prefix = prefix
    }

    /// The schedule `rate(step)` sampled every `every` steps from 0 to `total` (linear in between).
    public static func sampled(total: Int, every: Int = 1, _ rate: (Double) -> Double) throws(ScalingLawsError) -> LearningRateSchedule {
        var steps = [Double](), rates = [Double]()
        var s = 0
        while s < total { steps.append(Double(s)); rates.append(rate(Double(s))); s += max(1, every) }
        steps.append(Double(total)); rates.append(rate(Double(total)))
        return try LearningRateSchedule(steps: steps, rates: rates)
    }

    /// The first scheduled step.
    public var firstStep: Double { steps[0] }
    /// The last scheduled step.
    public var lastStep: Double { steps[steps.count - 1] }
    /// Number of linear pieces.
    var pieceCount: Int { steps.count - 1 }

    /// Whether `step` lies within the schedule.
    public func covers(_ step: Double) -> Bool { step >= firstStep && step <= lastStep }

    /// Index j of the piece [steps[j], steps[j+1]] holding `t` (the last piece for the last step).
    func piece(containing t: Double) -> Int {
        var lo = 0, hi = steps.count - 1
        if hi == 0 { return 0 }
        if t >= steps[hi] { return hi - 1 }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if steps[mid] <= t { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Slope of piece j (rate change per step).
    @inline(__always) func slope(_ j: Int) -> Double {
        (rates[j + 1] - rates[j]) / (steps[j + 1] - steps[j])
    }

    /// The learning rate at `step` (linear between breakpoints; clamped to the ends outside).
    public func rate(at step: Double) -> Double {
        if step <= firstStep { return rates[0] }
        if step >= lastStep { return rates[rates.count - 1] }
        let j = piece(containing: step)
        return rates[j] + slope(j) * (step - steps[j])
    }

    /// The learning-rate area S1(t) = Σ_{τ=first…t} η_τ (0 before the first step; the total after the last).
    public func area(through t: Double) -> Double {
        if t < firstStep { return 0 }
        if steps.count == 1 { return rates[0] }
        if t >= lastStep { return prefix[prefix.count - 1] }
        let j = piece(containing: t)
        return areaInPiece(j, t)
    }

    /// S1 at a (possibly fractional) step x of piece j, from the piece's closed form.
    @inline(__always) func areaInPiece(_ j: Int, _ x: Double) -> Double {
        let n = x - steps[j]
        return prefix[j] + n * rates[j] + slope(j) * n * (n + 1) / 2
    }
}

/// One run of a schedule-aware log: its learning-rate schedule and the losses it logged (possibly none:
/// a planned run).
public struct ScheduledRun: Sendable, Hashable {
    /// The run's identifier.
    public var name: String
    /// Its learning-rate schedule.
    public var schedule: LearningRateSchedule
    /// Steps at which a loss was logged, increasing.
    public var steps: [Double]
    /// The logged losses.
    public var losses: [Double]

    /// A run `name` under `schedule` that logged `losses` at `steps`.
    public init(name: String, schedule: LearningRateSchedule, steps: [Double] = [], losses: [Double] = []) {
        self.name = name
        self.schedule = schedule
        self.steps = steps
        self.losses = losses
    }

    /// The run's points at or before `step`.
    public func through(_ step: Double) -> ScheduledRun {
        let kept = steps.indices.filter { steps[$0] <= step }
        return ScheduledRun(name: name, schedule: schedule, steps: kept.map { steps[$0] }, losses: kept.map { losses[$0] })
    }
}

/// Reads long-format logs with a learning-rate column: one row per logged step of a run, with the run
/// identifier (`run`, `run_id`, `name`), the step (`step`, `steps`, `iteration`, `iter`), the learning
/// rate (`lr`, `learning_rate`) and the loss (`loss`, `train_loss`, …).
///
/// Either metric may be empty on a row, as in W&B and TensorBoard exports: the schedule may be logged
/// every step and the loss every k steps. A row with an lr and no loss carries the schedule only; a run
/// whose rows all have an empty loss is a *planned* run. Between rows the learning rate is linear in the
/// step. Rules, each reported with file, line and column when broken:
/// - each run's rows are in increasing step order (a step may repeat on consecutive rows only with the
///   same lr, e.g. one row for the lr and one for the loss);
/// - lr values are finite and ≥ 0, and every run logs at least one;
/// - a loss is logged neither before the run's first lr row nor after its last.
///
/// A file without a loss column is schedule-only: every run in it is planned.
public enum ScheduleTable {
    /// Column names that override the detected ones.
    public struct Columns: Sendable, Hashable {
        public var run: String?, step: String?, lr: String?, loss: String?
        /// Column names; nil means the default names.
        public init(run: String? = nil, step: String? = nil, lr: String? = nil, loss: String? = nil) {
            self.run = run
            self.step = step
            self.lr = lr
            self.loss = loss
        }
    }

    /// Accepted names of the learning-rate column.
    public static let lrAliases = ["lr", "learning_rate", "learning-rate", "learningrate"]

    /// The runs of the CSV file at `path`, in order of first appearance.
    public static func runs(contentsOf path: String, columns: Columns = Columns()) throws(ScalingLawsError) -> [ScheduledRun] {
        var reader: Reader? = nil
        try CSVStream.read(contentsOf: path, header: { header throws(ScalingLawsError) in
            reader = try Reader(source: path, header: header, columns: columns)
        }, row: { line, fields throws(ScalingLawsError) in
            try reader!.add(fields, line: line)
        })
        return try reader!.finish()
    }

    /// The runs of a parsed table (same rules as ``runs(contentsOf:columns:)``).
    public static func runs(from table: CSVTable, columns: Columns = Columns()) throws(ScalingLawsError) -> [ScheduledRun] {
        var reader = try Reader(source: table.source, header: table.header, columns: columns)
        for (r, row) in table.rows.enumerated() { try reader.add(row, line: table.lines[r]) }
        return try reader.finish()
    }

    struct Reader {
        let source: String
        let header: [String]
        let runColumn: Int, stepColumn: Int, lrColumn: Int
        /// nil: a schedule-only file (no loss column).
        let lossColumn: Int?
        struct Partial {
            var firstLine: Int
            var lastStep: Double = -1, lastLine = 0
            /// The first loss logged before any lr row (line, step).
            var earlyLoss: (line: Int, step: Double)? = nil
            var steps = [Double](), rates = [Double](), lossSteps = [Double](), losses = [Double](), lossLines = [Int]()
        }
        var order = [String]()
        var partial = [String: Partial]()
        var rows = 0

        init(source: String, header: [String], columns: Columns) throws(ScalingLawsError) {
            self.source = source
            self.header = header
            let lowered = header.map { $0.lowercased() }
            func locate(_ key: String, _ override: String?, _ aliases: [String], _ hint: Message) throws(ScalingLawsError) -> Int {
                let names = override.map { [$0] } ?? aliases
                for name in names { if let i = lowered.firstIndex(of: name.lowercased()) { return i } }
                throw .missingColumn(file: source, needed: key, tried: names, available: header, hint: hint)
            }
            runColumn = try locate("run", columns.run, LongFormat.runAliases, "name it with \(.runColumn); each row is one logged step of a run")
            stepColumn = try locate("step", columns.step, CurveTable.stepAliases, "name it with \(.stepColumn)")
            lrColumn = try locate("lr", columns.lr, ScheduleTable.lrAliases, "name it with \(.lrColumn); schedule-aware laws read the learning rate of every run")
            if columns.loss == nil && !RunTable.aliases["loss"]!.contains(where: { lowered.contains($0.lowercased()) }) {
                lossColumn = nil  // schedule only: planned runs
            } else {
                lossColumn = try locate("loss", columns.loss, RunTable.aliases["loss"]!, "name it with \(.lossColumn)")
            }
        }

        mutating func add(_ row: [String], line: Int) throws(ScalingLawsError) {
            rows += 1
            func bad(_ c: Int, _ expected: Message) -> ScalingLawsError {
                .badValue(file: source, line: line, column: c + 1, columnName: header[c], expected: expected, found: row[c])
            }
            let id = row[runColumn]
            guard !id.isEmpty else { throw bad(runColumn, "a run identifier") }
            guard let step = parseQuantity(row[stepColumn]), step >= 0, step.isFinite, step == step.rounded(),
                  step <= LearningRateSchedule.maxStep else {
                throw bad(stepColumn, "a whole step number from 0 to \(formatQuantity(LearningRateSchedule.maxStep))")
            }
            let lrText = row[lrColumn].trimmingCharacters(in: .whitespaces)
            let lossText = lossColumn.map { row[$0].trimmingCharacters(in: .whitespaces) } ?? ""
            var rate: Double? = nil
            if !lrText.isEmpty {
                // A subnormal rate (5e-324) is refused like a subnormal loss: η^−γ overflows.
                guard let v = Double(lrText), v.isFinite, v == 0 || v >= .leastNormalMagnitude else {
                    throw bad(lrColumn, "a learning rate such as 3e-4 (or empty): 0, or positive of normal size (above 2.2e-308)")
                }
                rate = v
            }
            var loss: Double? = nil
            if !lossText.isEmpty {
                guard let v = Double(lossText), v.isFinite, v >= .leastNormalMagnitude else {
                    throw bad(lossColumn!, "a positive loss of normal size such as 3.31 (or empty)")
                }
                loss = v
            }
            if partial[id] == nil { order.append(id); partial[id] = Partial(firstLine: line) }
            var p = partial[id]!
            if step < p.lastStep {
                throw .malformedFile(file: source, line: line, message: "run \"\(id)\": step \(formatQuantity(step)) (column \(stepColumn + 1), \(header[stepColumn])) comes after step \(formatQuantity(p.lastStep)) on line \(p.lastLine); a run's rows must be in increasing step order")
            }
            if let rate {
                if let last = p.steps.last, last == step {
                    if p.rates[p.rates.count - 1] != rate {
                        throw .malformedFile(file: source, line: line, message: "run \"\(id)\": step \(formatQuantity(step)) has lr \(rate) here (column \(lrColumn + 1), \(header[lrColumn])) but lr \(p.rates[p.rates.count - 1]) on line \(p.lastLine); one step has one learning rate")
                    }
                } else {
                    p.steps.append(step)
                    p.rates.append(rate)
                }
            }
            if let loss {
                if p.steps.isEmpty && p.earlyLoss == nil {
                    // Reported at the end: a run with no lr at all gets that (clearer) error instead.
                    p.earlyLoss = (line, step)
                }
                if let last = p.lossSteps.last, last == step {
                    throw .malformedFile(file: source, line: line, message: "run \"\(id)\": a second loss at step \(formatQuantity(step)) (column \(lossColumn! + 1), \(header[lossColumn!])); the first is on line \(p.lossLines.last!)")
                }
                p.lossSteps.append(step)
                p.losses.append(loss)
                p.lossLines.append(line)
            }
            p.lastStep = step
            p.lastLine = line
            partial[id] = p
        }

        func finish() throws(ScalingLawsError) -> [ScheduledRun] {
            guard rows > 0 else { throw .malformedFile(file: source, line: nil, message: "the file has a header but no rows") }
            var out = [ScheduledRun]()
            for id in order {
                let p = partial[id]!
                guard !p.steps.isEmpty else {
                    throw .malformedFile(file: source, line: p.firstLine, message: "run \"\(id)\" has no learning rate on any row (column \(lrColumn + 1), \(header[lrColumn])); schedule-aware laws need each run's schedule")
                }
                if let (line, step) = p.earlyLoss {
                    throw .malformedFile(file: source, line: line, message: "run \"\(id)\": a loss at step \(formatQuantity(step)) (column \(lossColumn! + 1), \(header[lossColumn!])) before the run's first learning-rate row; log the lr from the start of the schedule (column \(lrColumn + 1), \(header[lrColumn]))")
                }
                if let i = p.lossSteps.firstIndex(where: { $0 > p.steps.last! }) {
                    throw .malformedFile(file: source, line: p.lossLines[i], message: "run \"\(id)\": a loss at step \(formatQuantity(p.lossSteps[i])) (column \(lossColumn! + 1), \(header[lossColumn!])) after the run's last learning-rate row (step \(formatQuantity(p.steps.last!))); log the lr through the end of the schedule")
                }
                let schedule: LearningRateSchedule
                do { schedule = try LearningRateSchedule(steps: p.steps, rates: p.rates) } catch {
                    throw .malformedFile(file: source, line: p.firstLine, message: "run \"\(id)\": \(error)")
                }
                out.append(ScheduledRun(name: id, schedule: schedule, steps: p.lossSteps, losses: p.losses))
            }
            return out
        }
    }
}
