/// A CSV file of runs read as a stream: the one loader behind `fit`, `predict`, `backtest`, `compare` and
/// `isoflop`.
///
/// ``init(contentsOf:)`` reads the header only (a law built from the columns, such as a `--formula`,
/// needs it before it knows its variables); ``runs(variables:columns:runColumn:use:flopsPerParamToken:repeatedLabel:)``
/// then reads the rows once. A long-format log (one row per logged point of a run) is reduced while it is
/// read: with ``CheckpointUse/final`` only the latest point of each run is kept, so memory depends on the
/// number of runs, not of rows; with ``CheckpointUse/checkpoints`` every point is kept as numbers, by
/// column (``RunFile/Runs/store``, a ``RunStore``: no `Run` per point). Numbers
/// are parsed from the bytes of each field (``parseQuantity(bytes:)``), without a `String` per field.
///
/// The runs, their order and every error are those of reading the file into a ``CSVTable`` and calling
/// ``LongFormat/runs(from:variables:columns:runColumn:use:flopsPerParamToken:)`` (long-format) or
/// ``RunTable/runs(from:variables:columns:requireLoss:flopsPerParamToken:)`` (one run per row): an error
/// in the file's CSV structure anywhere wins over an error in a value, as when the whole table was read
/// first. A file with one run per row (a few hundred runs, typically) is read into a table and goes the
/// table's way.
public final class RunFile {
    /// Name used in error messages (the path).
    public var source: String { reader.source }
    /// The header's column names.
    public var header: [String] { reader.header }

    private let reader: CSVReader
    private var consumed = false

    /// Opens `path` (any readable file, `/dev/stdin` included) and reads its header.
    ///
    /// - Throws: ``ScalingLawsError`` for a file that cannot be read, an empty file, or a bad header (as
    ///   ``CSVTable/init(contentsOf:)``).
    public init(contentsOf path: String) throws(ScalingLawsError) {
        reader = try CSVReader(contentsOf: path)
    }

    /// Reads `bytes` as a file named `source`, `bufferSize` bytes at a time.
    init(bytes: [UInt8], source: String, bufferSize: Int = 1 << 20) throws(ScalingLawsError) {
        reader = try CSVReader(bytes: bytes, source: source, bufferSize: bufferSize)
    }

    /// Index of the column whose name matches one of `names`, case-insensitively.
    public func columnIndex(_ names: [String]) -> Int? {
        let lowered = header.map { $0.lowercased() }
        for name in names {
            if let i = lowered.firstIndex(of: name.lowercased()) { return i }
        }
        return nil
    }

    /// A run label that occurs on two rows of a file read one run per row: the label, its column and
    /// the two lines.
    public struct RepeatedLabel: Sendable, Hashable {
        public var label: String
        public var column: String
        public var lines: (Int, Int)
        public static func == (a: Self, b: Self) -> Bool {
            a.label == b.label && a.column == b.column && a.lines == b.lines
        }
        public func hash(into hasher: inout Hasher) {
            hasher.combine(label)
            hasher.combine(lines.0)
            hasher.combine(lines.1)
        }
    }

    /// The runs of a file and how they were read.
    public struct Runs: Sendable {
        /// The runs, as ``RunTable`` or ``LongFormat`` makes them; checkpoints stored by column.
        public var store: RunStore
        /// The runs, as ``RunTable`` or ``LongFormat`` makes them (made from ``store`` on each use).
        public var runs: [Run] {
            get { store.runs }
            set { store = RunStore(wrapping: newValue) }
        }
        /// Data rows in the file.
        public var rows: Int
        /// How a long-format log was read; nil when every row is one run.
        public var longFormat: CheckpointUse?
    }

    /// Reads the rows: one run per row, or for a long-format log (`use` given, or a file that
    /// ``LongFormat/isLongFormat(_:runColumn:)`` recognises) per ``CheckpointUse``. Call it once.
    ///
    /// - Parameters:
    ///   - variables: the law variables every run must have.
    ///   - columns: column names that override the detected ones.
    ///   - runColumn: the run column of a long-format log (nil: `run`, `run_id`, `name`).
    ///   - use: how to read a long-format log; nil recognises one by its columns and repeated labels and
    ///     reads it with ``CheckpointUse/final``.
    ///   - k: FLOPs per parameter per token, k in C = k·N·D.
    ///   - repeatedLabel: called, before any error in the values is thrown, for a file read one run per
    ///     row whose run column repeats a label (see ``LongFormat/repeatedLabel(in:runColumn:)``).
    /// - Throws: ``ScalingLawsError`` naming file, line and column, as the table readers do.
    public func runs(variables: [String], columns: RunTable.Columns = RunTable.Columns(), runColumn: String? = nil,
                     use: CheckpointUse? = nil, flopsPerParamToken k: Double = 6,
                     repeatedLabel: (RepeatedLabel) -> Void = { _ in }) throws(ScalingLawsError) -> Runs {
        precondition(!consumed, "RunFile.runs reads the file once")
        consumed = true
        let runIndex = LongFormat.runColumn(inHeader: header, override: runColumn)
        let hasProgress = columnIndex(LongFormat.progressAliases) != nil
        if let use {
            var reducer = LongFormatReducer(source: source, header: header, variables: variables, columns: columns,
                                            runIndex: runIndex, runColumnName: runColumn, use: use, k: k)
            var rows = 0
            while try reader.nextRow() {
                reducer.add(reader, line: reader.line, row: rows)
                rows += 1
                // Every checkpoint is kept: storage for all of them at once, not by repeated doubling.
                if rows == 4096 && use == .checkpoints, let estimate = reader.estimatedRows(afterReading: rows) {
                    reducer.reserve(estimate + estimate / 32)
                }
            }
            return Runs(store: try reducer.finish(), rows: rows, longFormat: use)
        }
        // One run per row unless a run label repeats (and there is a progress column): keep the rows as
        // text until a label repeats, then read the rest as a long-format log.
        var table = [[String]](), lines = [Int]()
        var seen = [String: Int]()
        var repeated: RepeatedLabel? = nil
        var rows = 0
        while try reader.nextRow() {
            let row = reader.strings
            if let c = runIndex, repeated == nil {
                if let first = seen[row[c]] {
                    repeated = RepeatedLabel(label: row[c], column: header[c], lines: (lines[first], reader.line))
                } else {
                    seen[row[c]] = rows
                }
            }
            table.append(row)
            lines.append(reader.line)
            rows += 1
            if repeated != nil && hasProgress { break }
        }
        if repeated != nil && hasProgress {
            var reducer = LongFormatReducer(source: source, header: header, variables: variables, columns: columns,
                                            runIndex: runIndex, runColumnName: runColumn, use: .final, k: k)
            for (r, row) in table.enumerated() { reducer.add(row, line: lines[r], row: r) }
            table = []
            seen = [:]
            while try reader.nextRow() {
                reducer.add(reader, line: reader.line, row: rows)
                rows += 1
            }
            return Runs(store: try reducer.finish(), rows: rows, longFormat: .final)
        }
        if let repeated { repeatedLabel(repeated) }
        let csv = CSVTable(source: source, header: header, rows: table, lines: lines)
        return Runs(store: RunStore(wrapping: try RunTable.runs(from: csv, variables: variables, columns: columns, flopsPerParamToken: k)),
                    rows: rows, longFormat: nil)
    }
}

/// Reduces the rows of a long-format log to runs as they are read, with the runs and errors of
/// ``LongFormat/runs(from:variables:columns:runColumn:use:flopsPerParamToken:)``. Errors are kept, not
/// thrown, until ``finish()``, so that the caller reads on and an error in the CSV structure further
/// down still wins, as it does when the whole table is read first.
struct LongFormatReducer {
    let source: String
    let header: [String]
    let use: CheckpointUse
    let runIndex: Int?
    let orderIndex: Int?
    /// The columns of the runs (nil: an error found in the header, thrown after the row checks).
    let plan: Result<RunPlan, ScalingLawsError>
    /// The first error in file order from the checks every row gets (run label, order key), or a
    /// missing run column.
    private var failure: ScalingLawsError? = nil {
        didSet { failed = failure != nil }
    }
    /// `failure != nil`, cheaper to test on every row.
    private var failed = false

    /// One run of the log.
    private struct Slot {
        /// `.final`: the latest point so far (key, row, line) and its fields, read into a run at the end.
        var key = -Double.infinity, row = -1, line = 0
        var latest = SavedRow()
        /// `.checkpoints`: the run's points (indices in `points`, in file order), the largest key so far,
        /// and the earliest (key, row) point in error.
        var indices: [Int] = []
        var lastKey = -Double.infinity
        var error: (key: Double, row: Int, error: ScalingLawsError)? = nil
    }
    private var slots = [Slot]()
    /// `.checkpoints`: every point in file order (by column), and its key.
    private var points: RunStore.Builder, keys = [Double]()
    /// Whether file order is the order of the result so far: each run's points together, in order of key.
    private var inOrder = true
    private var lastPointSlot = -1
    private var index = [String: Int]()
    private var lastLabel = "", lastSlot = -1
    private var rows = 0

    init(source: String, header: [String], variables: [String], columns: RunTable.Columns, runIndex: Int?,
         runColumnName: String?, use: CheckpointUse, k: Double) {
        self.source = source
        self.header = header
        self.use = use
        self.runIndex = runIndex
        points = RunStore.Builder(flopsPerParamToken: k)
        let lowered = header.map { $0.lowercased() }
        orderIndex = LongFormat.orderAliases.lazy.compactMap { lowered.firstIndex(of: $0.lowercased()) }.first
        guard let runIndex else {
            plan = .failure(.malformedFile(file: source, line: nil, message: "no run column"))
            failure = .missingColumn(file: source, needed: "run", tried: runColumnName.map { [$0] } ?? LongFormat.runAliases,
                                     available: header,
                                     hint: "\(.logUse, use.rawValue) reads a long-format log: one row per logged point, with a run identifier column (name it with \(.runColumn))")
            failed = true   // (observers do not run in an initializer)
            return
        }
        var columns = columns
        columns.group = header[runIndex]
        do throws(ScalingLawsError) {
            plan = .success(try RunPlan(source: source, header: header, variables: variables, columns: columns,
                                        requireLoss: true, flopsPerParamToken: k))
        } catch {
            plan = .failure(error)
        }
    }

    /// Adds row number `row` (0-based, in file order), on line `line`.
    mutating func add<Row: RowFields>(_ fields: Row, line: Int, row: Int) {
        rows += 1
        guard !failed, let runIndex else { return }
        let id = fields.label(runIndex)
        guard !id.isEmpty else {
            failure = .badValue(file: source, line: line, column: runIndex + 1, columnName: header[runIndex],
                                expected: "a run identifier", found: id)
            return
        }
        var key = Double(row)
        if let c = orderIndex {
            guard let v = fields.quantity(c), v >= 0 else {
                failure = .badValue(file: source, line: line, column: c + 1, columnName: header[c],
                                    expected: "a number ≥ 0 such as 1000 or 2.1B", found: fields.text(c))
                return
            }
            if v == 0 { return }
            key = v
        }
        let s: Int
        if lastSlot >= 0 && id == lastLabel {
            s = lastSlot
        } else if let known = index[id] {
            s = known
        } else {
            s = slots.count
            index[id] = s
            slots.append(Slot())
        }
        lastLabel = id
        lastSlot = s
        guard case .success(let plan) = plan else {
            slots[s].row = row   // a selected point: the column error is thrown at the end
            return
        }
        switch use {
        case .final:
            // The last of the points sorted by key, ties in file order: a later row with an equal key wins.
            guard key >= slots[s].key else { return }
            slots[s].key = key
            slots[s].row = row
            slots[s].line = line
            fields.save(into: &slots[s].latest)
        case .checkpoints:
            slots[s].row = row
            do throws(ScalingLawsError) {
                let run = try plan.run(fields, line: line)
                if inOrder {
                    inOrder = (s == lastPointSlot || slots[s].indices.isEmpty) && key >= slots[s].lastKey
                }
                lastPointSlot = s
                slots[s].lastKey = max(slots[s].lastKey, key)
                slots[s].indices.append(points.count)
                points.append(run)
                keys.append(key)
            } catch {
                if let e = slots[s].error, (e.key, e.row) < (key, row) { return }
                slots[s].error = (key, row, error)
            }
        }
    }

    /// Reserves storage for `count` checkpoints (a hint; storage still grows past it).
    mutating func reserve(_ count: Int) {
        guard use == .checkpoints, count > points.count else { return }
        points.reserve(count)
        keys.reserveCapacity(count)
    }

    /// The runs, in order of first appearance; checkpoints in order of their key within a run.
    mutating func finish() throws(ScalingLawsError) -> RunStore {
        if let failure { throw failure }
        guard rows > 0 else {
            throw .malformedFile(file: source, line: nil, message: "the file has a header but no points")
        }
        guard !slots.isEmpty else {
            throw .malformedFile(file: source, line: nil, message: "every point is at step or tokens 0; nothing to fit")
        }
        let plan = try plan.get()
        switch use {
        case .final:
            var runs = [Run]()
            runs.reserveCapacity(slots.count)
            for slot in slots { runs.append(try plan.run(slot.latest, line: slot.line)) }
            return RunStore(wrapping: runs)
        case .checkpoints:
            for slot in slots {
                if let e = slot.error { throw e.error }
            }
            let all = points.finish()
            points = RunStore.Builder(flopsPerParamToken: points.k)
            if inOrder {
                // A log grouped by run and logged in order (the usual export): the points are the result,
                // with one weight a run.
                var ends = [Int]()
                ends.reserveCapacity(slots.count)
                for slot in slots { ends.append((ends.last ?? 0) + slot.indices.count) }
                return all.withWeights(slots.map { 1 / Double($0.indices.count) }, ends: ends)
            }
            var runs = RunStore.Builder(flopsPerParamToken: points.k)
            runs.reserve(all.count)
            for slot in slots {
                // By key, ties in file order (indices are in file order).
                let order = slot.indices.sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
                let weight = 1 / Double(order.count)
                for i in order {
                    var run = all[i]
                    run.weight = weight
                    runs.append(run)
                }
            }
            return runs.finish()
        }
    }
}
