/// Which rows of a long-format log become the runs a law is fitted to.
public enum CheckpointUse: String, Sendable, Hashable, CaseIterable {
    /// The last logged point of each run (largest step, tokens or FLOPs): one final loss per run.
    case final
    /// Every logged point as a (N, tokens seen) run, weighted so each run's checkpoints sum to 1.
    case checkpoints
}

/// Long-format logs: one row per logged point of a run (a run identifier in `run`, `run_id` or `name`;
/// the tokens seen, step or FLOPs; the loss), many runs in one file, rows in any order.
///
/// **Recognition must be unambiguous.** A file is read as a long-format log only when it says so: it has
/// a run column in which some identifier repeats *and* a progress column (`step`, `steps`, `iteration`,
/// `iter` or `tokens_seen`), or the caller asks for it (`--use final|checkpoints`). A run column with
/// repeating labels and only a `tokens` column is ambiguous (a ladder of separately trained runs labelled
/// by model, such as `model-70M` at several token counts, looks the same as checkpoints of one run) and is
/// read one run per row, never collapsed silently; ``repeatedLabel(in:runColumn:)`` lets the caller say so.
///
/// **Checkpoint fits.** With ``CheckpointUse/checkpoints`` every logged point becomes a run with
/// N = the run's params and D = the tokens seen so far (the approach of Choshen et al. 2024, "A
/// Hitchhiker's Guide to Scaling Law Estimation", arXiv:2410.11840, and of the OLMo model ladder,
/// Bhagia et al. 2024, arXiv:2412.04403). Each checkpoint of a run with m checkpoints gets weight 1/m,
/// so every run contributes a total weight of 1 and one long, densely logged run does not dominate the
/// objective; checkpoints carry their run's label as ``Run/group`` so the bootstrap resamples whole runs.
///
/// **Caveat (learning-rate schedule).** A checkpoint taken before the end of a cosine decay has not had
/// its learning rate annealed: its loss sits above the loss a run trained to that many tokens would
/// reach, so checkpoint fits of cosine runs are biased upwards at small D (Hoffmann et al. 2022, §A.1,
/// fig. A1). Checkpoints are closest to final losses with constant or warmup-stable-decay schedules
/// (Hägele et al. 2024, arXiv:2405.18392); otherwise prefer ``CheckpointUse/final``.
public enum LongFormat {
    /// Accepted names of the run column.
    public static let runAliases = ["run", "run_id", "name"]
    /// Column names that order a run's rows, in order of preference: the step, the tokens seen, the FLOPs.
    static let orderAliases = CurveTable.stepAliases + RunTable.aliases[Variable.tokens]! + ["tokens_seen"]
        + RunTable.aliases[Variable.flops]!

    /// The index of the run column (`override`, or the first of ``runAliases``), if any.
    public static func runColumn(in table: CSVTable, override: String? = nil) -> Int? {
        table.columnIndex(override.map { [$0] } ?? runAliases)
    }

    /// The index of the run column in `header` (`override`, or the first of ``runAliases``), if any.
    static func runColumn(inHeader header: [String], override: String? = nil) -> Int? {
        let lowered = header.map { $0.lowercased() }
        for name in override.map({ [$0] }) ?? runAliases {
            if let i = lowered.firstIndex(of: name.lowercased()) { return i }
        }
        return nil
    }

    /// Column names that mark a file as a log of training progress (not the `tokens` a run was trained to).
    public static let progressAliases = CurveTable.stepAliases + ["tokens_seen"]

    /// Whether `table` is unambiguously long-format: a run column in which some identifier repeats, and a
    /// progress column (``progressAliases``).
    public static func isLongFormat(_ table: CSVTable, runColumn override: String? = nil) -> Bool {
        guard table.columnIndex(progressAliases) != nil else { return false }
        return repeatedLabel(in: table, runColumn: override) != nil
    }

    /// The first run label that occurs on two rows (with both lines), if the table has a run column.
    public static func repeatedLabel(in table: CSVTable, runColumn override: String? = nil) -> (label: String, column: String, lines: (Int, Int))? {
        guard let c = runColumn(in: table, override: override) else { return nil }
        var seen = [String: Int]()
        for (r, row) in table.rows.enumerated() {
            if let first = seen[row[c]] { return (row[c], table.header[c], (table.lines[first], table.lines[r])) }
            seen[row[c]] = r
        }
        return nil
    }

    /// The runs of a long-format table: the last point of each run (`.final`) or every checkpoint
    /// weighted 1/m within its run (`.checkpoints`). Points at 0 tokens or step 0 (the initial loss) are
    /// dropped. Runs keep their order of first appearance; checkpoints are in order within a run.
    ///
    /// - Parameters:
    ///   - table: the parsed CSV file, one row per logged point.
    ///   - variables: the law variables every run must have, as in
    ///     ``RunTable/runs(from:variables:columns:requireLoss:flopsPerParamToken:)``.
    ///   - columns: column names that override the detected ones.
    ///   - runColumnName: the run column (nil: `run`, `run_id`, `name`).
    ///   - use: the last point of each run, or every checkpoint.
    ///   - k: FLOPs per parameter per token, k in C = k·N·D.
    /// - Throws: ``ScalingLawsError`` naming file, line and column: no run column, a bad step or tokens
    ///   value, or any error of ``RunTable``.
    public static func runs(from table: CSVTable, variables: [String], columns: RunTable.Columns = RunTable.Columns(),
                            runColumn runColumnName: String? = nil, use: CheckpointUse,
                            flopsPerParamToken k: Double = 6) throws(ScalingLawsError) -> [Run] {
        guard let runIndex = runColumn(in: table, override: runColumnName) else {
            throw .missingColumn(file: table.source, needed: "run", tried: runColumnName.map { [$0] } ?? runAliases,
                                 available: table.header,
                                 hint: "\(.logUse, use.rawValue) reads a long-format log: one row per logged point, with a run identifier column (name it with \(.runColumn))")
        }
        guard !table.rows.isEmpty else {
            throw .malformedFile(file: table.source, line: nil, message: "the file has a header but no points")
        }
        let orderIndex = table.columnIndex(orderAliases)
        var order = [String]()
        var rowsOf = [String: [(row: Int, key: Double)]]()
        for (r, row) in table.rows.enumerated() {
            let id = row[runIndex]
            guard !id.isEmpty else {
                throw .badValue(file: table.source, line: table.lines[r], column: runIndex + 1, columnName: table.header[runIndex],
                                expected: "a run identifier", found: id)
            }
            var key = Double(r)
            if let c = orderIndex {
                guard let v = parseQuantity(row[c]), v >= 0 else {
                    throw .badValue(file: table.source, line: table.lines[r], column: c + 1, columnName: table.header[c],
                                    expected: "a number ≥ 0 such as 1000 or 2.1B", found: row[c])
                }
                if v == 0 { continue }
                key = v
            }
            if rowsOf[id] == nil { order.append(id); rowsOf[id] = [] }
            rowsOf[id]!.append((r, key))
        }
        var selected = [Int]()
        var weights = [Double]()
        for id in order {
            let points = rowsOf[id]!.sorted { $0.key < $1.key || ($0.key == $1.key && $0.row < $1.row) }
            switch use {
            case .final:
                selected.append(points.last!.row)
                weights.append(1)
            case .checkpoints:
                selected += points.map(\.row)
                weights += [Double](repeating: 1 / Double(points.count), count: points.count)
            }
        }
        guard !selected.isEmpty else {
            throw .malformedFile(file: table.source, line: nil, message: "every point is at step or tokens 0; nothing to fit")
        }
        let subset = CSVTable(source: table.source, header: table.header, rows: selected.map { table.rows[$0] },
                              lines: selected.map { table.lines[$0] })
        var columns = columns
        columns.group = table.header[runIndex]
        var runs = try RunTable.runs(from: subset, variables: variables, columns: columns, flopsPerParamToken: k)
        if use == .checkpoints {
            for i in runs.indices { runs[i].weight = weights[i] }
        }
        return runs
    }
}
