/// Turns a ``CSVTable`` into ``Run`` values: finds the columns by name, parses numbers with units,
/// validates them and derives whichever of N, D, C is missing from C = k·N·D.
public struct RunTable: Sendable {
    /// Column names that override the automatic detection (nil: detect by alias).
    public struct Columns: Sendable, Hashable {
        /// Column of the model size N (nil: the default names).
        public var params: String?
        /// Column of the training tokens D.
        public var tokens: String?
        /// Column of the training compute C.
        public var flops: String?
        /// Column of the loss (or other fitted quantity).
        public var loss: String?
        /// Column of group labels for resampling (default: `group`, `run`, `run_id`).
        public var group: String?
        /// Column names; nil means the default names.
        public init(params: String? = nil, tokens: String? = nil, flops: String? = nil, loss: String? = nil,
                    group: String? = nil) {
            self.params = params
            self.tokens = tokens
            self.flops = flops
            self.loss = loss
            self.group = group
        }
    }

    /// Accepted header names (case-insensitive), in order of preference.
    public static let aliases: [String: [String]] = [
        Variable.params: ["params", "n", "n_params", "parameters", "model_size", "num_params", "nparams"],
        Variable.tokens: ["tokens", "d", "data", "train_tokens", "num_tokens", "ntokens"],
        Variable.flops: ["flops", "c", "compute", "train_flops"],
        "loss": ["loss", "val_loss", "eval_loss", "train_loss", "validation_loss", "accuracy", "acc", "pass_rate"],
        "group": ["group", "run", "run_id"],
        DataConstrainedLaw.uniqueTokens: ["unique_tokens", "U", "unique"],
    ]

    /// Reads runs from `table`.
    ///
    /// - Parameters:
    ///   - table: the parsed CSV file.
    ///   - variables: the law variables every run must have (`params`, `tokens`, `flops` or column names).
    ///     A missing standard variable is derived from the other two when their columns exist.
    ///   - columns: column names that override the detected ones.
    ///   - requireLoss: whether the loss column is needed (fitting) or not (prediction targets).
    ///   - k: FLOPs per parameter per token, k in C = k·N·D.
    /// - Throws: ``ScalingLawsError`` naming file, line, column and what was expected.
    public static func runs(
        from table: CSVTable, variables: [String], columns: Columns = Columns(), requireLoss: Bool = true,
        flopsPerParamToken k: Double = 6
    ) throws(ScalingLawsError) -> [Run] {
        guard !table.rows.isEmpty else {
            throw .malformedFile(file: table.source, line: nil, message: "the file has a header but no runs")
        }
        let overrides = [Variable.params: columns.params, Variable.tokens: columns.tokens,
                         Variable.flops: columns.flops, "loss": columns.loss, "group": columns.group]
        func locate(_ key: String) throws(ScalingLawsError) -> Int? {
            if let name = overrides[key] ?? nil {
                guard let i = table.columnIndex([name]) else {
                    throw .missingColumn(file: table.source, needed: key, tried: [name], available: table.header,
                                         hint: "check the name given to \(Setting.column(of: key) ?? .lossColumn)")
                }
                return i
            }
            return table.columnIndex(aliases[key] ?? [key])
        }
        /// Two header columns that are both names of `key` (e.g. `N` and `params`), when no override chose.
        func ambiguity(_ key: String) -> (Int, Int)? {
            guard (overrides[key] ?? nil) == nil else { return nil }
            let names = Set((aliases[key] ?? [key]).map { $0.lowercased() })
            let matches = table.header.indices.filter { names.contains(table.header[$0].lowercased()) }
            return matches.count > 1 ? (matches[0], matches[1]) : nil
        }
        func refuseAmbiguous(_ key: String) throws(ScalingLawsError) {
            guard let (a, b) = ambiguity(key) else { return }
            throw .malformedFile(file: table.source, line: nil,
                                 message: "header columns \(a + 1) (\(displayQuoted(table.header[a]))) and \(b + 1) (\(displayQuoted(table.header[b]))) are both names of \(key); choose one with \(Setting.column(of: key) ?? .lossColumn) or remove the other")
        }
        let standard = Variable.standard
        var index = [String: Int]()
        for key in standard + ["loss", "group"] { if let i = try locate(key) { index[key] = i } }

        // Which standard columns must be parsed: those the law reads, or the two that derive one.
        var parse = Set<String>()
        for v in variables where standard.contains(v) {
            if index[v] != nil { parse.insert(v); continue }
            let others = standard.filter { $0 != v }
            guard others.allSatisfy({ index[$0] != nil }) else {
                let tried = overrides[v].flatMap { $0 }.map { [$0] } ?? aliases[v] ?? [v]
                let missing = others.filter { index[$0] == nil }.joined(separator: " or ")
                throw .missingColumn(file: table.source, needed: v, tried: tried, available: table.header,
                                     hint: "name it with \(Setting.column(of: v) ?? .tokensColumn), or give \(others.joined(separator: " and ")) columns to derive it by C = \(formatK(k))·N·D (no \(missing) column either)")
            }
            others.forEach { parse.insert($0) }
        }
        var extra = [String: Int]()
        for v in variables where !standard.contains(v) {
            let names = aliases[v] ?? [v]
            guard let i = table.columnIndex(names) else {
                throw .missingColumn(file: table.source, needed: v, tried: names, available: table.header,
                                     hint: aliases[v] == nil ? "the law reads a column named \"\(v)\" (set by \(.x) or used in \(.formula))" : "add the column")
            }
            extra[v] = i
        }
        for key in parse.sorted() { try refuseAmbiguous(key) }
        if requireLoss { try refuseAmbiguous("loss") }
        try refuseAmbiguous("group")
        if requireLoss && index["loss"] == nil {
            let tried = columns.loss.map { [$0] } ?? aliases["loss"]!
            throw .missingColumn(file: table.source, needed: "loss", tried: tried, available: table.header,
                                 hint: "name it with \(.lossColumn)")
        }

        var runs = [Run]()
        runs.reserveCapacity(table.rows.count)
        for (r, row) in table.rows.enumerated() {
            func number(_ column: Int) throws(ScalingLawsError) -> Double {
                let text = row[column]
                guard let v = parseQuantity(text), v > 0 else {
                    throw .badValue(file: table.source, line: table.lines[r], column: column + 1,
                                    columnName: table.header[column],
                                    expected: "a positive number such as 2.31, 1.4e12 or 70B", found: text)
                }
                // A subnormal value (below 2.2e-308) has lost precision and its logarithm sits hundreds of
                // units below every other run's: a typo or an underflow, never a measurement.
                guard v.isNormal else {
                    throw .badValue(file: table.source, line: table.lines[r], column: column + 1,
                                    columnName: table.header[column],
                                    expected: "a positive number of normal size (above 2.2e-308)", found: text)
                }
                return v
            }
            var run = Run()
            for key in parse {
                let v = try number(index[key]!)
                switch key {
                case Variable.params: run.params = v
                case Variable.tokens: run.tokens = v
                default: run.flops = v
                }
            }
            for (name, i) in extra { run.values[name] = try number(i) }
            if requireLoss, let i = index["loss"] { run.loss = try number(i) }
            if let i = index["group"] {
                guard !row[i].isEmpty else {
                    throw .badValue(file: table.source, line: table.lines[r], column: i + 1, columnName: table.header[i],
                                    expected: "a group label (rows with the same label are resampled together)", found: "")
                }
                run.group = row[i]
            }
            let completed = run.completed(flopsPerParamToken: k)
            // C = k·N·D (or N = C/(k·D), …) may overflow or underflow even when each value is in range.
            for (key, value) in [(Variable.params, completed.params), (Variable.tokens, completed.tokens), (Variable.flops, completed.flops)] {
                if let value, !(value.isFinite && value > 0) {
                    throw .malformedFile(file: table.source, line: table.lines[r],
                                         message: "\(key) derived by C = \(formatK(k))·N·D is \(value), out of the range of double precision; check the values on this row")
                }
            }
            runs.append(completed)
        }
        return runs
    }

    private static func formatK(_ k: Double) -> String {
        k == k.rounded() ? String(Int(k)) : String(k)
    }
}
