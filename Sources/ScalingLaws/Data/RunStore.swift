import Foundation

/// Runs stored by column: a collection of ``Run`` values that holds each of N, D, C, the loss, the weight,
/// the other values and the group labels as one column instead of one 72-byte `Run` per point.
///
/// A checkpoint fit of a long log has millions of points of a few hundred runs: N, the weight and the
/// group label are the same for all the checkpoints of a run and are kept once per stretch of equal
/// values; C = k·N·D, derived when the file has no FLOPs column, is not kept at all (it is computed again,
/// to the same bits, when a run is read). What varies from point to point (D, the loss) is one `Double`
/// a point. A million checkpoints take some 16 MB instead of 72 MB, and the fit's solver reads the columns
/// without copying them (`fit` of a `RunStore`).
///
/// Reading element i gives back the run that was stored, bit for bit (same values, same absent ones,
/// same labels). Runs whose fields are not all present or absent alike (some runs with a loss, others
/// without; different `values` keys) are kept as an array of runs.
public struct RunStore: Sendable, RandomAccessCollection {
    public typealias Element = Run
    public typealias Index = Int

    /// The number of runs.
    public let count: Int
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    let storage: Storage

    enum Storage: Sendable {
        /// The runs themselves (a store made from an array by ``init(wrapping:)``, or runs of mixed shape).
        case runs([Run])
        case columns(Columns)
    }

    /// One field of every run.
    enum Column: Sendable {
        /// Absent (nil) in every run.
        case absent
        /// One value a run.
        case dense([Double])
        /// Stretches of equal values (bit for bit): `values[s]` for the runs before `ends[s]`.
        case segments(values: [Double], ends: [Int])
        /// C = k·N·D from the params and tokens columns, for every run.
        case derivedFlops
    }

    struct Columns: Sendable {
        var params: Column, tokens: Column, flops: Column, loss: Column, weight: Column
        /// The `values` of every run, by name (every run has the same names).
        var values: [(name: String, column: Column)]
        /// Group labels in stretches: `groups[s]` for the runs before `groupEnds[s]`.
        var groups: [String?]
        var groupEnds: [Int]
        /// k of the derived FLOPs.
        var k: Double
    }

    /// No runs.
    public init() {
        count = 0
        storage = .runs([])
    }

    /// `runs` stored by column (see ``RunStore``), with C = k·N·D not stored where every run's C is exactly that.
    public init(_ runs: [Run], flopsPerParamToken k: Double = 6) {
        var builder = Builder(flopsPerParamToken: k)
        builder.reserve(runs.count)
        for run in runs { builder.append(run) }
        self = builder.finish()
    }

    /// `runs` as they are: the store shares their storage.
    init(wrapping runs: [Run]) {
        count = runs.count
        storage = .runs(runs)
    }

    init(count: Int, storage: Storage) {
        self.count = count
        self.storage = storage
    }

    /// The runs as an array (the stored array itself when the store wraps one), made in one pass over
    /// the columns.
    public var runs: [Run] {
        switch storage {
        case .runs(let runs):
            return runs
        case .columns(let c):
            // A column at a time into runs made with every field absent.
            var out = [Run](repeating: Run(), count: count)
            out.withUnsafeMutableBufferPointer { out in
                func fill(_ column: Column, _ set: (inout Run, Double) -> Void) {
                    switch column {
                    case .absent, .derivedFlops:
                        break
                    case .dense(let values):
                        for i in values.indices { set(&out[i], values[i]) }
                    case .segments(let values, let ends):
                        var start = 0
                        for (v, end) in zip(values, ends) {
                            for i in start..<end { set(&out[i], v) }
                            start = end
                        }
                    }
                }
                fill(c.params) { $0.params = $1 }
                fill(c.tokens) { $0.tokens = $1 }
                fill(c.flops) { $0.flops = $1 }
                if case .derivedFlops = c.flops {
                    for i in out.indices { out[i].flops = c.k * out[i].params! * out[i].tokens! }
                }
                fill(c.loss) { $0.loss = $1 }
                fill(c.weight) { $0.weight = $1 }
                for (name, column) in c.values { fill(column) { $0.values[name] = $1 } }
                var start = 0
                for (group, end) in zip(c.groups, c.groupEnds) {
                    if group != nil { for i in start..<end { out[i].group = group } }
                    start = end
                }
            }
            return out
        }
    }

    /// Run `i`, as it was stored.
    public subscript(i: Int) -> Run {
        precondition(i >= 0 && i < count, "RunStore index out of range")
        switch storage {
        case .runs(let runs):
            return runs[i]
        case .columns(let c):
            var cursor = Cursor(c)
            cursor.seek(i)
            return cursor.run(at: i)
        }
    }

    /// Reads the runs in order, in one pass over the columns.
    public struct Iterator: IteratorProtocol {
        private let count: Int
        private var i = 0
        private var cursor: Cursor?
        private var runs: IndexingIterator<[Run]>

        init(_ store: RunStore) {
            count = store.count
            switch store.storage {
            case .runs(let array):
                runs = array.makeIterator()
            case .columns(let c):
                runs = [Run]().makeIterator()
                cursor = Cursor(c)
            }
        }

        public mutating func next() -> Run? {
            guard cursor != nil else { return runs.next() }
            guard i < count else { return nil }
            defer { i += 1 }
            return cursor!.run(at: i)
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }

    /// Reads the runs of columns in order: the stretch of each column that holds the current run.
    struct Cursor {
        let c: Columns
        private var params = 0, tokens = 0, flops = 0, loss = 0, weight = 0, group = 0
        private var values: [Int]

        init(_ c: Columns) {
            self.c = c
            values = [Int](repeating: 0, count: c.values.count)
        }

        /// Moves every stretch to the one holding run `i` (by bisection).
        mutating func seek(_ i: Int) {
            func at(_ column: Column) -> Int {
                if case .segments(_, let ends) = column { return RunStore.segment(of: i, ends: ends) }
                return 0
            }
            params = at(c.params); tokens = at(c.tokens); flops = at(c.flops); loss = at(c.loss); weight = at(c.weight)
            for j in values.indices { values[j] = at(c.values[j].column) }
            group = RunStore.segment(of: i, ends: c.groupEnds)
        }

        /// Run `i`, which is at or after the previous one read.
        mutating func run(at i: Int) -> Run {
            var run = Run(values: [:])
            let n = c.params.value(at: i, stretch: &params), d = c.tokens.value(at: i, stretch: &tokens)
            run.params = n
            run.tokens = d
            if case .derivedFlops = c.flops { run.flops = c.k * n! * d! } else { run.flops = c.flops.value(at: i, stretch: &flops) }
            run.loss = c.loss.value(at: i, stretch: &loss)
            run.weight = c.weight.value(at: i, stretch: &weight)
            if !c.values.isEmpty {
                var dictionary = [String: Double](minimumCapacity: c.values.count)
                for j in c.values.indices { dictionary[c.values[j].name] = c.values[j].column.value(at: i, stretch: &values[j]) }
                run.values = dictionary
            }
            while c.groupEnds[group] <= i { group += 1 }
            run.group = c.groups[group]
            return run
        }
    }

    /// The stretch holding index `i`: the first s with `ends[s] > i`.
    static func segment(of i: Int, ends: [Int]) -> Int {
        var low = 0, high = ends.count - 1
        while low < high {
            let mid = (low + high) / 2
            if ends[mid] > i { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// The value of a law variable (`params`, `tokens`, `flops` or a name in ``Run/values``) for every run,
    /// one a run; nil when some run lacks it. A column stored whole is returned as it is (no copy).
    func column(of variable: String) -> [Double]? {
        guard case .columns(let c) = storage else {
            var out = [Double]()
            out.reserveCapacity(count)
            for run in self {
                guard let v = run.value(of: variable) else { return nil }
                out.append(v)
            }
            return out
        }
        switch variable {
        case Variable.params: return c.params.dense(count: count, in: c)
        case Variable.tokens: return c.tokens.dense(count: count, in: c)
        case Variable.flops: return c.flops.dense(count: count, in: c)
        default: return c.values.first { $0.name == variable }?.column.dense(count: count, in: c)
        }
    }

    /// Every run's loss (nil when some run has none); see ``column(of:)``.
    var losses: [Double]? {
        guard case .columns(let c) = storage else {
            var out = [Double]()
            out.reserveCapacity(count)
            for run in self {
                guard let v = run.loss else { return nil }
                out.append(v)
            }
            return out
        }
        return c.loss.dense(count: count, in: c)
    }

    /// Every run's weight with 1 for an absent one, or nil when no run has a weight.
    var weights: [Double]? {
        guard case .columns(let c) = storage else {
            guard contains(where: { $0.weight != nil }) else { return nil }
            return map { $0.weight ?? 1 }
        }
        return c.weight.dense(count: count, in: c)
    }

    /// Whether some run lacks exactly one of N, D and C (``Run/completed(flopsPerParamToken:)`` changes it).
    var lacksOneOfNDC: Bool {
        guard case .columns(let c) = storage else {
            guard case .runs(let runs) = storage else { return false }
            return runs.contains { $0.lacksOneOfNDC }
        }
        let absent = [c.params, c.tokens, c.flops].filter { if case .absent = $0 { return true } else { return false } }
        return count > 0 && absent.count == 1
    }

    /// The independent groups of the runs, for intervals clustered by group: each run's group number
    /// (runs with one ``Run/group`` label share a number, in order of first appearance; a run without a
    /// label is a group of its own) and the number of groups. Nil when no label is shared (every run is
    /// its own group), where clustering changes nothing.
    var groupNumbers: (ids: [Int32], count: Int)? {
        var number = [String: Int32]()
        var ids = [Int32]()
        ids.reserveCapacity(count)
        var next: Int32 = 0
        func assign(_ label: String?, times: Int) {
            guard let label else {
                for _ in 0..<times { ids.append(next); next += 1 }
                return
            }
            if let g = number[label] {
                ids.append(contentsOf: repeatElement(g, count: times))
            } else {
                number[label] = next
                ids.append(contentsOf: repeatElement(next, count: times))
                next += 1
            }
        }
        switch storage {
        case .runs(let runs):
            for run in runs { assign(run.group, times: 1) }
        case .columns(let c):
            var start = 0
            for (group, end) in zip(c.groups, c.groupEnds) {
                assign(group, times: end - start)
                start = end
            }
        }
        return Int(next) < count ? (ids, Int(next)) : nil
    }

    /// This store with the runs' weights replaced: `values[s]` for the runs before `ends[s]`.
    func withWeights(_ values: [Double], ends: [Int]) -> RunStore {
        switch storage {
        case .runs(var runs):
            var s = 0
            for i in runs.indices {
                while ends[s] <= i { s += 1 }
                runs[i].weight = values[s]
            }
            return RunStore(count: count, storage: .runs(runs))
        case .columns(var c):
            c.weight = values.count * 2 <= count ? .segments(values: values, ends: ends)
                : .dense(Column.expand(values, ends: ends, count: count))
            return RunStore(count: count, storage: .columns(c))
        }
    }
}

extension RunStore.Column {
    /// The value of run `i` (nil when absent; derived C is left to the caller), where `stretch` is a
    /// stretch at or before the one holding `i`; it is moved to that one.
    @inline(__always)
    func value(at i: Int, stretch: inout Int) -> Double? {
        switch self {
        case .absent, .derivedFlops: return nil
        case .dense(let values): return values[i]
        case .segments(let values, let ends):
            while ends[stretch] <= i { stretch += 1 }
            return values[stretch]
        }
    }

    /// One value a run (nil when absent); a dense column as it is.
    func dense(count: Int, in c: RunStore.Columns) -> [Double]? {
        switch self {
        case .absent: return nil
        case .dense(let values): return values
        case .segments(let values, let ends): return Self.expand(values, ends: ends, count: count)
        case .derivedFlops:
            guard let n = c.params.dense(count: count, in: c), let d = c.tokens.dense(count: count, in: c) else { return nil }
            return (0..<count).map { c.k * n[$0] * d[$0] }
        }
    }

    static func expand(_ values: [Double], ends: [Int], count: Int) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(count)
        var start = 0
        for (v, end) in zip(values, ends) {
            out.append(contentsOf: repeatElement(v, count: end - start))
            start = end
        }
        return out
    }
}

extension RunStore {
    /// Builds a store one run at a time (a long-format log's checkpoints as they are read).
    struct Builder {
        let k: Double
        private(set) var count = 0
        private var capacity = 0
        /// Runs of mixed shape: kept as runs.
        private var fallback: [Run]? = nil
        /// Which fields the first run had (bits 1, 2, 4, 8, 16: N, D, C, loss, weight), and its value names (sorted).
        private var shape: (present: UInt8, names: [String])? = nil
        private var params = ColumnBuilder(), tokens = ColumnBuilder(), flops = ColumnBuilder()
        private var loss = ColumnBuilder(), weight = ColumnBuilder()
        private var values = [ColumnBuilder]()
        /// Whether every run so far has C = k·N·D exactly (C is then not stored).
        private var flopsDerived = false
        private var groups = [String?](), groupEnds = [Int]()

        init(flopsPerParamToken k: Double) { self.k = k }

        /// A hint: about `count` runs will be appended.
        mutating func reserve(_ count: Int) {
            capacity = count
            if fallback != nil { fallback!.reserveCapacity(count); return }
            for b in [\Self.params, \.tokens, \.flops, \.loss, \.weight] { self[keyPath: b].reserve(count) }
            for i in values.indices { values[i].reserve(count) }
        }

        private static func present(_ run: Run) -> UInt8 {
            (run.params != nil ? 1 : 0) | (run.tokens != nil ? 2 : 0) | (run.flops != nil ? 4 : 0)
                | (run.loss != nil ? 8 : 0) | (run.weight != nil ? 16 : 0)
        }

        mutating func append(_ run: Run) {
            if fallback != nil { fallback!.append(run); count += 1; return }
            let present = Self.present(run)
            if let shape {
                guard present == shape.present, run.values.count == shape.names.count,
                      shape.names.isEmpty || shape.names.allSatisfy({ run.values[$0] != nil }) else {
                    var runs = finishColumns().runs
                    runs.reserveCapacity(Swift.max(capacity, count + 1))
                    runs.append(run)
                    fallback = runs
                    count += 1
                    return
                }
            } else {
                let names = run.values.keys.sorted()
                shape = (present, names)
                values = names.map { _ in ColumnBuilder() }
                flopsDerived = present & 7 == 7
                if capacity > 0 { reserve(capacity) }
            }
            if let n = run.params { params.append(n) }
            if let d = run.tokens { tokens.append(d) }
            if let c = run.flops {
                if flopsDerived && c.bitPattern != (k * run.params! * run.tokens!).bitPattern {
                    // The first C that is not k·N·D: the earlier ones were, and are stored from now on.
                    flopsDerived = false
                    for i in 0..<count { flops.append(k * params.value(at: i) * tokens.value(at: i)) }
                }
                if !flopsDerived { flops.append(c) }
            }
            if let l = run.loss { loss.append(l) }
            if let w = run.weight { weight.append(w) }
            if !values.isEmpty {
                for (j, name) in shape!.names.enumerated() { values[j].append(run.values[name]!) }
            }
            if let last = groups.last, Self.same(last, run.group) {
                groupEnds[groupEnds.count - 1] = count + 1
            } else {
                groups.append(run.group)
                groupEnds.append(count + 1)
            }
            count += 1
        }

        /// Equal labels, byte for byte (`==` on strings compares canonical equivalence).
        private static func same(_ a: String?, _ b: String?) -> Bool {
            switch (a, b) {
            case (nil, nil): return true
            case (var a?, var b?):
                return a.withUTF8 { x in
                    b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) }
                }
            default: return false
            }
        }

        private func finishColumns() -> RunStore {
            guard let shape else { return RunStore() }
            func column(_ b: ColumnBuilder, _ bit: UInt8) -> Column { shape.present & bit != 0 ? b.column : .absent }
            let c = Columns(params: column(params, 1), tokens: column(tokens, 2),
                            flops: flopsDerived ? .derivedFlops : column(flops, 4),
                            loss: column(loss, 8), weight: column(weight, 16),
                            values: zip(shape.names, values).map { ($0, $1.column) },
                            groups: groups, groupEnds: groupEnds, k: k)
            return RunStore(count: count, storage: .columns(c))
        }

        /// The store of the runs appended.
        func finish() -> RunStore {
            if let fallback { return RunStore(wrapping: fallback) }
            return finishColumns()
        }
    }

    /// One column being built: stretches of equal values while they are long, one value a run once
    /// they are not.
    struct ColumnBuilder {
        private var dense: [Double]? = nil
        private var values = [Double](), ends = [Int]()
        private var count = 0, capacity = 0

        mutating func reserve(_ count: Int) {
            capacity = count
            dense?.reserveCapacity(count)
        }

        mutating func append(_ v: Double) {
            if dense != nil {
                dense!.append(v)
            } else if let last = values.last, last.bitPattern == v.bitPattern {
                ends[ends.count - 1] = count + 1
            } else if values.count >= 16 && values.count * 4 > count {
                // Stretches shorter than four values on average: one value a run from here on.
                var d = Column.expand(values, ends: ends, count: Swift.max(capacity, count + 1))
                d.append(v)
                dense = d
                values = []
                ends = []
            } else {
                values.append(v)
                ends.append(count + 1)
            }
            count += 1
        }

        func value(at i: Int) -> Double {
            if let dense { return dense[i] }
            return values[RunStore.segment(of: i, ends: ends)]
        }

        var column: Column {
            if let dense { return .dense(dense) }
            return .segments(values: values, ends: ends)
        }
    }
}
