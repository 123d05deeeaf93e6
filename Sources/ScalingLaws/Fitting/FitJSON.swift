import Foundation

extension FitResult {
    /// Writes this fit's JSON, ``record`` with the top-level keys of `extra` added (as `extra.encode(to:)` adds
    /// them to the same object), in chunks of some 64 KB handed to `sink`: the bytes are exactly those of
    /// ``JSON/encode(_:)`` of the record and `extra`, but the training runs are never made into an array
    /// of ``Run`` or a JSON tree.
    ///
    /// A checkpoint fit of a million points has a 200 MB `training_runs` array. ``JSON/encode(_:)`` builds
    /// it as one tree of values and then as one `Data` (over a gigabyte at its peak); here the rest of
    /// the record is encoded by `JSONEncoder` with a one-run stand-in in `training_runs`, and the
    /// stand-in is replaced by the runs of ``trainingSet``, written one at a time by a writer that
    /// reproduces `JSONEncoder`'s pretty-printed, sorted-key format (tests pin it byte for byte). Should
    /// the stand-in not read as that writer writes it (a different Foundation), the whole record is
    /// encoded by `JSONEncoder` instead: the same bytes, with the memory of a tree.
    ///
    /// - Parameters:
    ///   - extra: Keys to add to the record's object (none when nil); must not include `training_runs`.
    ///   - sink: Receives the bytes in order; an error it throws ends the write.
    public func writeJSON(adding extra: (any Encodable)? = nil, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !trainingSet.isEmpty else {
            try JSON.encode(RecordWithExtra(record: record(trainingRuns: nil), extra: extra)).withUnsafeBytes(sink)
            return
        }
        let skeleton = try JSON.encode(RecordWithExtra(record: record(trainingRuns: [Run()]), extra: extra))
        guard let (head, tail) = RunsJSON.standInSplit(skeleton) else {
            try JSON.encode(RecordWithExtra(record: record, extra: extra)).withUnsafeBytes(sink)
            return
        }
        try skeleton[..<head].withUnsafeBytes(sink)
        try RunsJSON.write(trainingSet, level: RunsJSON.keyLevel, to: sink)
        try skeleton[tail...].withUnsafeBytes(sink)
    }
}

/// A record and further keys of the same JSON object.
private struct RecordWithExtra: Encodable {
    var record: FitRecord
    var extra: (any Encodable)?

    func encode(to encoder: any Encoder) throws {
        try record.encode(to: encoder)
        try extra?.encode(to: encoder)
    }
}

/// The `training_runs` array written as `JSONEncoder` writes `[Run]` under ``JSON/encode(_:)``'s settings
/// (pretty-printed with two-space indents, `" : "` between key and value, keys sorted by their UTF-8
/// bytes, absent optionals left out, a whole double without ".0", non-finite numbers as the strings
/// "inf", "-inf", "nan", and JSONEncoder's string escapes), one run at a time.
enum RunsJSON {
    /// The indentation level of a top-level key (the `"training_runs" : [` line).
    static let keyLevel = 1

    /// Bytes are handed on once this many have been gathered.
    static let chunkSize = 1 << 16

    /// Where the stand-in array (one empty ``Run``) of the top-level key `training_runs` begins and
    /// ends in `skeleton`: `skeleton[..<head]` ends with `"training_runs" : ` and `skeleton[tail...]`
    /// follows the array's closing bracket. Nil when the key is not found or the stand-in is not
    /// written exactly as ``write(_:level:to:)`` writes it.
    static func standInSplit(_ skeleton: Data) -> (head: Data.Index, tail: Data.Index)? {
        // A top-level key is the only line that starts with exactly two spaces and a quote (strings hold
        // no raw newline), so this marker occurs once.
        let marker = Array("\n  \"training_runs\" : ".utf8)
        guard let found = skeleton.firstRange(of: marker) else { return nil }
        var standIn = [UInt8]()
        appendArray(CollectionOfOne(Run()), level: keyLevel, to: &standIn)
        let head = found.upperBound
        guard skeleton.count - (head - skeleton.startIndex) >= standIn.count,
              skeleton[head..<(head + standIn.count)].elementsEqual(standIn) else { return nil }
        return (head, head + standIn.count)
    }

    /// Writes `runs` as a JSON array whose opening bracket is on a line indented `level` times, in
    /// chunks of about ``chunkSize`` bytes.
    static func write<Runs: Sequence<Run>>(_ runs: Runs, level: Int, to sink: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        var out = [UInt8]()
        out.reserveCapacity(chunkSize + 4096)
        var writer = Writer(level: level)
        out.append(UInt8(ascii: "["))
        var first = true
        for run in runs {
            writer.appendElement(run, first: first, to: &out)
            first = false
            if out.count >= chunkSize {
                try out.withUnsafeBytes(sink)
                out.removeAll(keepingCapacity: true)
            }
        }
        writer.appendClose(empty: first, to: &out)
        try out.withUnsafeBytes(sink)
    }

    /// `runs` as a JSON array (as ``write(_:level:to:)`` writes it), appended to `out`.
    static func appendArray<Runs: Sequence<Run>>(_ runs: Runs, level: Int, to out: inout [UInt8]) {
        var written = [UInt8]()
        write(runs, level: level) { written.append(contentsOf: $0) }
        out.append(contentsOf: written)
    }

    /// Writes the elements of one array; remembers the escaped `values` keys and group label of the
    /// previous run, as checkpoints of one run share them.
    private struct Writer {
        let level: Int
        private var names: [String] = []
        private var escapedNames: [[UInt8]] = []
        private var group: String? = nil
        private var escapedGroup: [UInt8] = []
        /// N and the weight, the same for every checkpoint of a run: formatted once a run.
        private var params = NumberCache(), weight = NumberCache()

        init(level: Int) { self.level = level }

        mutating func appendElement(_ run: Run, first: Bool, to out: inout [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\n"))
            RunsJSON.indent(level + 1, &out)
            out.append(UInt8(ascii: "{"))
            // Keys in UTF-8 order: flops, group, loss, params, tokens, values, weight (values always there).
            var firstKey = true
            func key(_ name: StaticString) {
                if !firstKey { out.append(UInt8(ascii: ",")) }
                firstKey = false
                out.append(UInt8(ascii: "\n"))
                RunsJSON.indent(level + 2, &out)
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
                out.append(contentsOf: RunsJSON.quoteColon)
            }
            if let v = run.flops { key("flops"); RunsJSON.appendNumber(v, &out) }
            if let g = run.group {
                key("group")
                // Compared byte for byte: `==` on strings is canonical equivalence.
                if group.map({ !$0.utf8.elementsEqual(g.utf8) }) ?? true {
                    group = g
                    escapedGroup = []
                    RunsJSON.appendString(g, &escapedGroup)
                }
                out.append(contentsOf: escapedGroup)
            }
            if let v = run.loss { key("loss"); RunsJSON.appendNumber(v, &out) }
            if let v = run.params { key("params"); params.append(v, to: &out) }
            if let v = run.tokens { key("tokens"); RunsJSON.appendNumber(v, &out) }
            key("values")
            appendValues(run.values, to: &out)
            if let v = run.weight { key("weight"); weight.append(v, to: &out) }
            out.append(UInt8(ascii: "\n"))
            RunsJSON.indent(level + 1, &out)
            out.append(UInt8(ascii: "}"))
        }

        private mutating func appendValues(_ values: [String: Double], to out: inout [UInt8]) {
            out.append(UInt8(ascii: "{"))
            out.append(UInt8(ascii: "\n"))
            if !values.isEmpty {
                if values.count != names.count || !names.allSatisfy({ values[$0] != nil }) {
                    names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                    escapedNames = names.map { name in
                        var bytes = [UInt8]()
                        RunsJSON.appendString(name, &bytes)
                        return bytes
                    }
                }
                for (j, name) in names.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: ",")); out.append(UInt8(ascii: "\n")) }
                    RunsJSON.indent(level + 3, &out)
                    out.append(contentsOf: escapedNames[j])
                    out.append(contentsOf: RunsJSON.quoteColon.dropFirst())
                    RunsJSON.appendNumber(values[name]!, &out)
                }
            }
            out.append(UInt8(ascii: "\n"))
            RunsJSON.indent(level + 2, &out)
            out.append(UInt8(ascii: "}"))
        }

        /// Closes the array; an empty one is "[", a blank line and the indented bracket, as JSONEncoder writes it.
        func appendClose(empty: Bool, to out: inout [UInt8]) {
            if empty { out.append(UInt8(ascii: "\n")) }
            out.append(UInt8(ascii: "\n"))
            RunsJSON.indent(level, &out)
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `" : ` (a key's closing quote and the separator).
    static let quoteColon: [UInt8] = Array("\" : ".utf8)
    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 32)

    static func indent(_ level: Int, _ out: inout [UInt8]) {
        var n = 2 * level
        while n > 0 {
            let k = Swift.min(n, spaces.count)
            out.append(contentsOf: spaces[0..<k])
            n -= k
        }
    }

    /// The bytes of the last number written under one key, reused while the number repeats (bit for bit).
    struct NumberCache {
        private var bits: UInt64 = 0
        private var bytes: [UInt8] = []
        private var filled = false

        mutating func append(_ v: Double, to out: inout [UInt8]) {
            if filled && bits == v.bitPattern {
                out.append(contentsOf: bytes)
                return
            }
            let start = out.count
            RunsJSON.appendNumber(v, &out)
            bits = v.bitPattern
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: out[start...])
            filled = true
        }
    }

    /// A double as JSONEncoder writes it: `description` without a trailing ".0"; non-finite as a string.
    static func appendNumber(_ v: Double, _ out: inout [UInt8]) {
        guard v.isFinite else {
            out.append(contentsOf: (v.isNaN ? "\"nan\"" : v > 0 ? "\"inf\"" : "\"-inf\"").utf8)
            return
        }
        var s = v.description
        s.withUTF8 { out.append(contentsOf: $0) }
        let n = out.count
        if n >= 2 && out[n - 2] == UInt8(ascii: ".") && out[n - 1] == UInt8(ascii: "0") { out.removeLast(2) }
    }

    /// A string as JSONEncoder writes it with `.withoutEscapingSlashes`: quotes, `"` and `\` escaped,
    /// \b \f \n \r \t, other control characters as \u00xx (lower-case hex), everything else as it is.
    static func appendString(_ string: String, _ out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
