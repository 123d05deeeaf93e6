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
        let plan = try RunPlan(source: table.source, header: table.header, variables: variables, columns: columns,
                               requireLoss: requireLoss, flopsPerParamToken: k)
        var runs = [Run]()
        runs.reserveCapacity(table.rows.count)
        for (r, row) in table.rows.enumerated() { runs.append(try plan.run(row, line: table.lines[r])) }
        return runs
    }

    static func formatK(_ k: Double) -> String {
        // Int(k) traps beyond Int's range: only small whole numbers are written without a decimal point.
        k == k.rounded() && abs(k) < 1e15 ? String(Int(k)) : String(k)
    }
}

/// How the rows of one file become runs: the columns found from the header (with every column error
/// ``RunTable/runs(from:variables:columns:requireLoss:flopsPerParamToken:)`` reports), then one row at a
/// time, from a ``CSVTable`` row or straight from the bytes of a streamed row.
struct RunPlan {
    let source: String
    let header: [String]
    let k: Double
    /// The standard variables to read, in order of name (0 params, 1 tokens, 2 flops), and their columns.
    let parse: [(slot: Int, column: Int)]
    /// Other variables the law reads, by name (sorted), and their columns.
    let extra: [(name: String, column: Int)]
    let lossColumn: Int?
    let groupColumn: Int?

    init(source: String, header: [String], variables: [String], columns: RunTable.Columns, requireLoss: Bool,
         flopsPerParamToken k: Double) throws(ScalingLawsError) {
        self.source = source
        self.header = header
        self.k = k
        let aliases = RunTable.aliases
        let lowered = header.map { $0.lowercased() }
        func columnIndex(_ names: [String]) -> Int? {
            for name in names {
                if let i = lowered.firstIndex(of: name.lowercased()) { return i }
            }
            return nil
        }
        let overrides = [Variable.params: columns.params, Variable.tokens: columns.tokens,
                         Variable.flops: columns.flops, "loss": columns.loss, "group": columns.group]
        func locate(_ key: String) throws(ScalingLawsError) -> Int? {
            if let name = overrides[key] ?? nil {
                guard let i = columnIndex([name]) else {
                    throw .missingColumn(file: source, needed: key, tried: [name], available: header,
                                         hint: "check the name given to \(Setting.column(of: key) ?? .lossColumn)")
                }
                return i
            }
            return columnIndex(aliases[key] ?? [key])
        }
        /// Two header columns that are both names of `key` (e.g. `N` and `params`), when no override chose.
        func ambiguity(_ key: String) -> (Int, Int)? {
            guard (overrides[key] ?? nil) == nil else { return nil }
            let names = Set((aliases[key] ?? [key]).map { $0.lowercased() })
            let matches = header.indices.filter { names.contains(lowered[$0]) }
            return matches.count > 1 ? (matches[0], matches[1]) : nil
        }
        func refuseAmbiguous(_ key: String) throws(ScalingLawsError) {
            guard let (a, b) = ambiguity(key) else { return }
            throw .malformedFile(file: source, line: nil,
                                 message: "header columns \(a + 1) (\(displayQuoted(header[a]))) and \(b + 1) (\(displayQuoted(header[b]))) are both names of \(key); choose one with \(Setting.column(of: key) ?? .lossColumn) or remove the other")
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
                throw .missingColumn(file: source, needed: v, tried: tried, available: header,
                                     hint: "name it with \(Setting.column(of: v) ?? .tokensColumn), or give \(others.joined(separator: " and ")) columns to derive it by C = \(RunTable.formatK(k))·N·D (no \(missing) column either)")
            }
            others.forEach { parse.insert($0) }
        }
        var extra = [String: Int]()
        for v in variables where !standard.contains(v) {
            let names = aliases[v] ?? [v]
            guard let i = columnIndex(names) else {
                throw .missingColumn(file: source, needed: v, tried: names, available: header,
                                     hint: aliases[v] == nil ? "the law reads a column named \"\(v)\" (set by \(.x) or used in \(.formula))" : "add the column")
            }
            extra[v] = i
        }
        for key in parse.sorted() { try refuseAmbiguous(key) }
        if requireLoss { try refuseAmbiguous("loss") }
        try refuseAmbiguous("group")
        if requireLoss && index["loss"] == nil {
            let tried = columns.loss.map { [$0] } ?? aliases["loss"]!
            throw .missingColumn(file: source, needed: "loss", tried: tried, available: header,
                                 hint: "name it with \(.lossColumn)")
        }
        self.parse = parse.sorted().map { key in
            (key == Variable.params ? 0 : key == Variable.tokens ? 1 : 2, index[key]!)
        }
        self.extra = extra.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        lossColumn = requireLoss ? index["loss"] : nil
        groupColumn = index["group"]
    }

    /// The run of one row (on line `line`).
    func run<Row: RowFields>(_ row: Row, line: Int) throws(ScalingLawsError) -> Run {
        func number(_ column: Int) throws(ScalingLawsError) -> Double {
            guard let v = row.quantity(column), v > 0 else {
                throw .badValue(file: source, line: line, column: column + 1, columnName: header[column],
                                expected: "a positive number such as 2.31, 1.4e12 or 70B", found: row.text(column))
            }
            // A subnormal value (below 2.2e-308) has lost precision and its logarithm sits hundreds of
            // units below every other run's: a typo or an underflow, never a measurement.
            guard v.isNormal else {
                throw .badValue(file: source, line: line, column: column + 1, columnName: header[column],
                                expected: "a positive number of normal size (above 2.2e-308)", found: row.text(column))
            }
            return v
        }
        var run = Run()
        for (slot, column) in parse {
            let v = try number(column)
            switch slot {
            case 0: run.params = v
            case 1: run.tokens = v
            default: run.flops = v
            }
        }
        for (name, column) in extra { run.values[name] = try number(column) }
        if let i = lossColumn { run.loss = try number(i) }
        if let i = groupColumn {
            let label = row.label(i)
            guard !label.isEmpty else {
                throw .badValue(file: source, line: line, column: i + 1, columnName: header[i],
                                expected: "a group label (rows with the same label are resampled together)", found: "")
            }
            run.group = label
        }
        let completed = run.completed(flopsPerParamToken: k)
        // C = k·N·D (or N = C/(k·D), …) may overflow or underflow even when each value is in range.
        func check(_ key: String, _ value: Double?) throws(ScalingLawsError) {
            if let value, !(value.isFinite && value > 0) {
                throw .malformedFile(file: source, line: line,
                                     message: "\(key) derived by C = \(RunTable.formatK(k))·N·D is \(value), out of the range of double precision; check the values on this row")
            }
        }
        try check(Variable.params, completed.params)
        try check(Variable.tokens, completed.tokens)
        try check(Variable.flops, completed.flops)
        return completed
    }
}
