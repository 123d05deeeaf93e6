/// One run's training curve: its model size and its loss after each logged number of tokens.
public struct TrainingCurve: Sendable, Hashable {
    /// The run's identifier.
    public var run: String
    /// Model parameters N (one per run).
    public var params: Double
    /// Tokens seen at each point, increasing.
    public var tokens: [Double]
    /// Loss at each point.
    public var losses: [Double]
    /// Token counts logged more than once (digitised curves, restarts) whose losses were averaged into one point.
    public var averagedTokenCounts: Int = 0

    /// A curve of run `run` with `params` parameters: the loss after each token count.
    public init(run: String, params: Double, tokens: [Double], losses: [Double]) {
        self.run = run
        self.params = params
        self.tokens = tokens
        self.losses = losses
    }

    /// Checks what the forecasts and envelopes rely on, which a curve read from a file always meets but
    /// one built by hand may not: at least one point, one loss per token count, token counts positive,
    /// finite and increasing, losses and N positive and finite.
    ///
    /// - Throws: ``ScalingLawsError/invalidOption(option:message:)`` naming the run and the point.
    public func validate() throws(ScalingLawsError) {
        guard !tokens.isEmpty, tokens.count == losses.count else {
            throw .invalidOption(option: .run, message: "run \"\(run)\" has \(tokens.count) token count\(tokens.count == 1 ? "" : "s") and \(losses.count) loss\(losses.count == 1 ? "" : "es"); give one loss per token count, at least one point")
        }
        guard params > 0, params.isFinite else {
            throw .invalidOption(option: .runParams, message: "run \"\(run)\": N must be a positive finite number, got \(params)")
        }
        for i in tokens.indices {
            guard tokens[i] > 0, tokens[i].isFinite, i == 0 || tokens[i] > tokens[i - 1] else {
                throw .invalidOption(option: .run, message: "run \"\(run)\", point \(i + 1): token counts must be positive, finite and increasing, got \(tokens[i])\(i > 0 ? " after \(tokens[i - 1])" : "")")
            }
            guard losses[i] > 0, losses[i].isFinite else {
                throw .invalidOption(option: .run, message: "run \"\(run)\", point \(i + 1): the loss must be a positive finite number, got \(losses[i])")
            }
        }
    }
}

/// Reads training curves from a long-format CSV: one row per logged point, with a run identifier, the
/// run's model size, the tokens seen (or the step, with a number of tokens per step) and the loss.
///
/// Columns are found by name, case-insensitively: the run in `run`, `run_id`, `name`, `id` or `model`;
/// N, tokens and loss under the same names as ``RunTable/aliases``; the step in `step`, `steps`,
/// `iteration` or `iter`. Points at 0 tokens (the initial loss) are skipped: they have no compute. Rows
/// whose loss is empty are skipped too: they carry other columns only (a learning rate logged every step).
public enum CurveTable {
    /// Column names that override the detection (nil: detect by alias).
    public struct Columns: Sendable, Hashable {
        /// Column of the run identifier.
        public var run: String?
        /// Column of the model size N.
        public var params: String?
        /// Column of the tokens seen.
        public var tokens: String?
        /// Column of the optimizer step (with tokens per step).
        public var step: String?
        /// Column of the loss.
        public var loss: String?

        /// Column names; nil means the default names.
        public init(run: String? = nil, params: String? = nil, tokens: String? = nil, step: String? = nil, loss: String? = nil) {
            self.run = run
            self.params = params
            self.tokens = tokens
            self.step = step
            self.loss = loss
        }
    }

    /// Accepted names of the run column.
    public static let runAliases = ["run", "run_id", "name", "id", "model"]
    /// Accepted names of the step column.
    public static let stepAliases = ["step", "steps", "iteration", "iter"]

    /// The curves in `table`, in order of first appearance.
    ///
    /// - Parameters:
    ///   - table: the parsed long-format CSV file, one row per evaluation.
    ///   - columns: column names that override the detected ones.
    ///   - tokensPerStep: when given, tokens are step × this, read from the step column.
    ///   - params: the model size of every run when the file has no params column (nil: the column is required).
    /// A token count logged more than once within a run (digitised curves) becomes one point with the
    /// mean of its losses; ``TrainingCurve/averagedTokenCounts`` counts them and ``averagingNote(_:)``
    /// says so.
    ///
    /// - Throws: ``ScalingLawsError`` naming the file, line and column: a missing column, a bad value, a
    ///   run whose model size changes, or a run with fewer than two distinct token counts.
    public static func curves(from table: CSVTable, columns: Columns = Columns(),
                              tokensPerStep: Double? = nil, params: Double? = nil) throws(ScalingLawsError) -> [TrainingCurve] {
        var builder = try CurveBuilder(source: table.source, header: table.header, columns: columns,
                                       tokensPerStep: tokensPerStep, params: params)
        for (r, row) in table.rows.enumerated() { try builder.add(row, line: table.lines[r]) }
        return try builder.finish()
    }

    /// One line saying which runs had repeated token counts averaged, or nil when none had.
    public static func averagingNote(_ curves: [TrainingCurve]) -> String? {
        let averaged = curves.filter { $0.averagedTokenCounts > 0 }
        guard !averaged.isEmpty else { return nil }
        let total = averaged.reduce(0) { $0 + $1.averagedTokenCounts }
        let names = averaged.prefix(5).map { "\"\($0.run)\" (\($0.averagedTokenCounts))" }.joined(separator: ", ")
        return "\(total) token count\(total == 1 ? "" : "s") logged more than once in \(averaged.count) run\(averaged.count == 1 ? "" : "s") (\(names)\(averaged.count > 5 ? ", …" : "")): their losses were averaged into one point each"
    }

    /// The curves of the CSV file at `path`, read as a stream: rows are reduced to each run's (tokens,
    /// loss) points as they are read, so a log of millions of rows needs memory for its numbers only.
    /// Same columns, checks and errors as ``curves(from:columns:tokensPerStep:params:)``.
    public static func curves(contentsOf path: String, columns: Columns = Columns(),
                              tokensPerStep: Double? = nil, params: Double? = nil) throws(ScalingLawsError) -> [TrainingCurve] {
        try curves(reading: try CSVReader(contentsOf: path), columns: columns, tokensPerStep: tokensPerStep, params: params)
    }

    /// Some runs' curves from a file, and the runs the file has.
    public struct Selection: Sendable, Hashable {
        /// The curves of the selected runs found in the file, in order of first appearance.
        public var curves: [TrainingCurve]
        /// Every run of the file, in order of first appearance.
        public var runs: [String]
    }

    /// The curves of the runs named in `runs` from the CSV file at `path`, read as a stream: every row is
    /// checked as by ``curves(contentsOf:columns:tokensPerStep:params:)`` (same errors, same lines,
    /// including a bad value or too few token counts in a run that is not selected), but only the selected
    /// runs' points are kept, so memory depends on their length, not on the file's.
    public static func curves(contentsOf path: String, runs: Set<String>, columns: Columns = Columns(),
                              tokensPerStep: Double? = nil, params: Double? = nil) throws(ScalingLawsError) -> Selection {
        let reader = try CSVReader(contentsOf: path)
        var builder = try CurveBuilder(source: reader.source, header: reader.header, columns: columns,
                                       tokensPerStep: tokensPerStep, params: params)
        builder.keep = { runs.contains($0) }
        while try reader.nextRow() { try builder.add(reader, line: reader.line) }
        let curves = try builder.finish()
        return Selection(curves: curves, runs: builder.summaries.map(\.run))
    }

    /// The curves of the rows `reader` has not read yet.
    static func curves(reading reader: CSVReader, columns: Columns = Columns(),
                       tokensPerStep: Double? = nil, params: Double? = nil) throws(ScalingLawsError) -> [TrainingCurve] {
        var builder = try CurveBuilder(source: reader.source, header: reader.header, columns: columns,
                                       tokensPerStep: tokensPerStep, params: params)
        while try reader.nextRow() { try builder.add(reader, line: reader.line) }
        return try builder.finish()
    }
}

/// Reduces long-format rows to training curves, one row at a time.
///
/// Every row is checked whatever is kept. ``keep`` chooses the runs whose points are stored; of the
/// others only the model size, first line, number of points and token range are kept, which is all the
/// checks of ``finish()`` need, so memory depends on the kept runs, not on the file. With
/// ``releasesGroupedRuns`` a run's curve is handed over (``takeCompleted()``) as soon as the next run
/// begins, for a file whose runs are each logged together.
struct CurveBuilder {
    let source: String
    let header: [String]
    let tokensPerStep: Double?
    let params: Double?
    let runColumn: Int, paramsColumn: Int?, lossColumn: Int, tokensColumn: Int
    /// Whether a run's points are stored (nil: every run's).
    var keep: ((String) -> Bool)? = nil
    /// Hand each run's curve over when the next run begins (the file must list each run's rows together).
    var releasesGroupedRuns = false
    private var order = [String]()
    private var index = [String: Int]()
    private struct Points {
        var params: Double
        var line: Int
        var kept: Bool
        var tokens: [Double] = [], losses: [Double] = []
        /// Points after 0 tokens, and their least and largest token count (kept or not).
        var count = 0, minTokens = Double.infinity, maxTokens = -Double.infinity
        /// Whether the run's curve was handed over already.
        var released = false
    }
    private var points = [Points]()
    /// The run of the previous row (logs mostly list one run's rows together).
    private var lastRun = "", lastIndex = -1
    private var rows = 0
    /// Whether some run's rows (with a loss) are not all together: a run came back after another.
    private(set) var interleaved = false
    private var completed: Int? = nil
    /// The first error of a curve handed over early (runs are released in order of first appearance).
    private var deferred: ScalingLawsError? = nil

    init(source: String, header: [String], columns: CurveTable.Columns, tokensPerStep: Double?, params: Double?) throws(ScalingLawsError) {
        self.source = source
        self.header = header
        self.tokensPerStep = tokensPerStep
        self.params = params
        let lowered = header.map { $0.lowercased() }
        func index(_ names: [String]) -> Int? {
            for name in names { if let i = lowered.firstIndex(of: name.lowercased()) { return i } }
            return nil
        }
        func locate(_ key: String, _ override: String?, _ aliases: [String], _ hint: Message) throws(ScalingLawsError) -> Int {
            let names = override.map { [$0] } ?? aliases
            guard let i = index(names) else {
                throw .missingColumn(file: source, needed: key, tried: names, available: header, hint: hint)
            }
            return i
        }
        if let s = tokensPerStep, !(s > 0 && s.isFinite) {
            throw .invalidOption(option: .tokensPerStep, message: "expected a positive number such as 4M, got \(s)")
        }
        runColumn = try locate("run", columns.run, CurveTable.runAliases, "name it with \(.runColumn); each row is one logged point of a run")
        paramsColumn = params != nil && index(columns.params.map { [$0] } ?? RunTable.aliases[Variable.params]!) == nil
            ? nil : try locate("params", columns.params, RunTable.aliases[Variable.params]!, "name it with \(.paramsColumn), or give \(.runParams)")
        lossColumn = try locate("loss", columns.loss, RunTable.aliases["loss"]!, "name it with \(.lossColumn)")
        if tokensPerStep != nil {
            tokensColumn = try locate("step", columns.step, CurveTable.stepAliases, "name it with \(.stepColumn), or drop \(.tokensPerStep) and give a tokens column")
        } else {
            let hasStep = index(columns.step.map { [$0] } ?? CurveTable.stepAliases) != nil
            tokensColumn = try locate("tokens", columns.tokens, RunTable.aliases[Variable.tokens]! + ["tokens_seen"],
                                      hasStep ? "there is a step column: give \(.tokensPerStep) to convert steps to tokens"
                                              : "name it with \(.tokensColumn), or give a step column and \(.tokensPerStep)")
        }
    }

    /// Adds one row (its fields and the line it is on).
    mutating func add<Row: RowFields>(_ row: Row, line: Int) throws(ScalingLawsError) {
        rows += 1
        func number(_ column: Int, allowZero: Bool = false) throws(ScalingLawsError) -> Double {
            guard let v = row.quantity(column), (v > 0 && v.isNormal) || (allowZero && v == 0) else {
                throw .badValue(file: source, line: line, column: column + 1, columnName: header[column],
                                expected: allowZero ? "a number ≥ 0 such as 1000 or 2.1B (not below 2.2e-308)" : "a positive number such as 2.31, 1.4e12 or 70B (not below 2.2e-308)",
                                found: row.text(column))
            }
            return v
        }
        let run = row.label(runColumn)
        guard !run.isEmpty else {
            throw .badValue(file: source, line: line, column: runColumn + 1, columnName: header[runColumn],
                            expected: "a run identifier", found: run)
        }
        // A row with an empty loss logs no point: exports from W&B or TensorBoard log the learning rate
        // every step and the loss every k steps (the schedule-aware laws read those rows).
        if row.isBlank(lossColumn) { return }
        let n = try paramsColumn.map { c throws(ScalingLawsError) in try number(c) } ?? params!
        let seen = try number(tokensColumn, allowZero: true) * (tokensPerStep ?? 1)
        guard seen.isFinite else {
            throw .badValue(file: source, line: line, column: tokensColumn + 1, columnName: header[tokensColumn],
                            expected: "a step count whose tokens (step × \(.tokensPerStep)) fit in double precision", found: row.text(tokensColumn))
        }
        let loss = try number(lossColumn)
        let k: Int
        if lastIndex >= 0 && run == lastRun {
            k = lastIndex
        } else if let known = index[run] {
            k = known
            interleaved = true
            if points[k].released {
                throw .malformedFile(file: source, line: line, message: "run \"\(run)\" comes back here after other runs, but the file listed each run's rows together when it was first read: did it change while being read?")
            }
        } else {
            k = points.count
            index[run] = k
            order.append(run)
            points.append(Points(params: n, line: line, kept: keep?(run) ?? true))
            if releasesGroupedRuns && lastIndex >= 0 { completed = lastIndex }
        }
        lastRun = run
        lastIndex = k
        guard points[k].params == n else {
            throw .malformedFile(file: source, line: line, message: "run \"\(run)\" has \(header[paramsColumn!]) \(row.text(paramsColumn!)) here but \(formatQuantity(points[k].params)) on line \(points[k].line); a run has one model size")
        }
        if seen == 0 { return }
        points[k].count += 1
        if seen < points[k].minTokens { points[k].minTokens = seen }
        if seen > points[k].maxTokens { points[k].maxTokens = seen }
        if points[k].kept {
            points[k].tokens.append(seen)
            points[k].losses.append(loss)
        }
    }

    /// The curve of the run that ended with the last row added, when ``releasesGroupedRuns`` is set and
    /// the row began a new run; nil otherwise. Its points are released. A run with too few token counts
    /// gives nil, and ``finish()`` throws its error once every row has been checked (a bad value further
    /// down the file is thrown first, as when every curve is made at the end).
    mutating func takeCompleted() -> TrainingCurve? {
        guard let k = completed else { return nil }
        completed = nil
        do throws(ScalingLawsError) {
            return try release(k)
        } catch {
            if deferred == nil { deferred = error }
            return nil
        }
    }

    private mutating func release(_ k: Int) throws(ScalingLawsError) -> TrainingCurve? {
        let p = points[k]
        points[k].tokens = []
        points[k].losses = []
        points[k].released = true
        guard p.kept else { return nil }
        return try CurveBuilder.curve(run: order[k], params: p.params, line: p.line, tokens: p.tokens, losses: p.losses, source: source)
    }

    /// The curves of the kept runs not handed over yet, in order of first appearance, each sorted by
    /// tokens. Each run's points are handed over to its curve (a run logged in order of tokens keeps its
    /// arrays as they are), so the points are held once.
    ///
    /// Every run, kept or not, must have at least two distinct token counts (checked in order of first
    /// appearance, as when every run was kept).
    mutating func finish() throws(ScalingLawsError) -> [TrainingCurve] {
        guard rows > 0 else {
            throw .malformedFile(file: source, line: nil, message: "the file has a header but no points")
        }
        if let deferred { throw deferred }
        var curves = [TrainingCurve]()
        for k in order.indices where !points[k].released {
            let p = points[k]
            if !p.kept {
                // At least two distinct token counts if and only if the least and the largest differ.
                let distinct = p.count == 0 ? 0 : p.minTokens == p.maxTokens ? 1 : 2
                if distinct < 2 { throw CurveBuilder.tooFewTokenCounts(run: order[k], distinct: distinct, line: p.line, source: source) }
                continue
            }
            if let curve = try release(k) { curves.append(curve) }
        }
        return curves
    }

    /// Every run seen (kept or not), in order of first appearance, with its model size and its least and
    /// largest token count after 0 (infinite with no such point).
    var summaries: [(run: String, params: Double, minTokens: Double, maxTokens: Double)] {
        order.indices.map { (order[$0], points[$0].params, points[$0].minTokens, points[$0].maxTokens) }
    }

    private static func tooFewTokenCounts(run: String, distinct: Int, line: Int, source: String) -> ScalingLawsError {
        .malformedFile(file: source, line: line, message: "run \"\(run)\" has \(distinct) distinct token count\(distinct == 1 ? "" : "s") after 0 tokens; a training curve needs at least two")
    }

    /// The curve of one run's points (in file order): sorted by tokens, repeated token counts averaged.
    private static func curve(run: String, params: Double, line: Int, tokens: [Double], losses: [Double],
                              source: String) throws(ScalingLawsError) -> TrainingCurve {
        if tokens.count >= 2, zip(tokens, tokens.dropFirst()).allSatisfy({ $0 < $1 }) {
            // Increasing token counts: the points are the curve (sorted, no repeats to average).
            return TrainingCurve(run: run, params: params, tokens: tokens, losses: losses)
        }
        let sorted = tokens.indices.sorted { tokens[$0] < tokens[$1] }
        // Repeated token counts (digitised curves) become one point with the mean loss.
        var distinct = [Double](), sums = [Double](), counts = [Int]()
        for i in sorted {
            if distinct.last == tokens[i] {
                sums[sums.count - 1] += losses[i]
                counts[counts.count - 1] += 1
            } else {
                distinct.append(tokens[i])
                sums.append(losses[i])
                counts.append(1)
            }
        }
        guard distinct.count >= 2 else { throw tooFewTokenCounts(run: run, distinct: distinct.count, line: line, source: source) }
        var curve = TrainingCurve(run: run, params: params, tokens: distinct, losses: zip(sums, counts).map { $0 / Double($1) })
        curve.averagedTokenCounts = counts.filter { $0 > 1 }.count
        return curve
    }
}
