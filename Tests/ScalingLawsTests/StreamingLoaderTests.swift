import Foundation
import Testing
@testable import ScalingLaws

/// The optimised reading paths (byte-level numbers, plain lines split in the read buffer, per-run
/// reduction while reading) against the reference paths they replace: the same numbers to the last bit,
/// the same records, runs and errors, for any split of the file into read buffers.
@Suite("Streaming loader: same results as the table path")
struct StreamingLoaderTests {
    /// The library's seeded generator (SplitMix64) with the two draws these tests use, so a failure names
    /// a reproducible case.
    struct Random {
        var generator: SeededGenerator
        init(state: UInt64) { generator = SeededGenerator(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    }

    /// `parseQuantity` as it was before the byte-level parser (a `Set`, two arrays and a `String` per call).
    static func referenceQuantity(_ text: String) -> Double? {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes.removeLast() }
        var start = 0
        while start < bytes.count, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
        bytes = bytes[start...].filter { $0 != UInt8(ascii: "_") }
        guard let last = bytes.last else { return nil }
        let multiplier: Double
        switch last | 0x20 {
        case UInt8(ascii: "k"): multiplier = 1e3
        case UInt8(ascii: "m"): multiplier = 1e6
        case UInt8(ascii: "b"), UInt8(ascii: "g"): multiplier = 1e9
        case UInt8(ascii: "t"): multiplier = 1e12
        case UInt8(ascii: "p"): multiplier = 1e15
        default: multiplier = 1
        }
        if multiplier != 1 { bytes.removeLast() }
        let allowed: Set<UInt8> = Set("0123456789.eE+-".utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ allowed.contains($0) }),
              let value = Double(String(decoding: bytes, as: UTF8.self)) else { return nil }
        let result = value * multiplier
        return result.isFinite ? result : nil
    }

    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return x.bitPattern == y.bitPattern
        default: return false
        }
    }

    @Test("Plain decimals: bit-identical to Double(String) on 50,000 random values in every notation")
    func plainDecimalsAreBitIdentical() {
        var random = Random(state: 42)
        var checked = 0
        for i in 0..<50_000 {
            let text: String
            switch i % 5 {
            case 0:   // shortest round-trip form of a random double (17 significant digits often)
                let x = Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)
                text = "\(x)"
            case 1:   // a metric logged with a few decimals
                text = String(format: "%.\(random.int(9))f", Double(random.next() % 100_000_000) / 1e4)
            case 2:   // %.17g and %e forms around usual magnitudes
                let x = Double(random.next() % 1_000_000_007) * pow(10, Double(random.int(40) - 20))
                text = random.int(2) == 0 ? String(format: "%.17g", x) : String(format: "%e", x)
            case 3:   // random digit strings: up to 25 digits, a point anywhere, an exponent
                var s = random.int(4) == 0 ? "-" : ""
                let digits = 1 + random.int(25)
                let point = random.int(digits + 2) - 1
                for d in 0..<digits {
                    if d == point { s += "." }
                    s += String(random.int(10))
                }
                if random.int(2) == 0 { s += "e\(random.pick(["", "+", "-"]))\(random.int(330))" }
                text = s
            default:  // integers, token counts
                text = String(random.next() % (1 << UInt64(1 + random.int(63))))
            }
            let expected = Double(text)
            let got = parseQuantity(text)
            #expect(Self.same(got, expected.flatMap { $0.isFinite ? $0 : nil }), "\(text)")
            checked += 1
        }
        #expect(checked == 50_000)
    }

    @Test("Grammar: the same value or rejection as the previous parser on 50,000 random strings")
    func grammarMatchesThePreviousParser() {
        var random = Random(state: 7)
        let alphabet = Array("0123456789..eE+-_ \tkKmMbBgGtTpPx9")
        for _ in 0..<50_000 {
            var text = ""
            for _ in 0..<random.int(11) { text.append(random.pick(alphabet)) }
            #expect(Self.same(parseQuantity(text), Self.referenceQuantity(text)), "\(text.debugDescription)")
        }
        for text in ["1e9", "7B", "1.5T", "1_000_000", "  2.5e3 ", "\t70b\t", "1.4t", "400M", "125k", "1.5G", "3P",
                     "-0", "+5", ".5", "5.", "1e", "e5", "1e+", "1..2", "0x10", "inf", "nan", "1e400", "1e-400",
                     "5_k", "5k_", "_1_", "k", "", " ", "1 _", "1e5k", "２"] {
            #expect(Self.same(parseQuantity(text), Self.referenceQuantity(text)), "\(text.debugDescription)")
        }
    }

    /// The records (or the error) of reading `bytes` the way the table reader did before ``CSVReader``:
    /// the whole text through one ``CSVRecordParser``, then the header and field-count checks.
    static func referenceRecords(_ bytes: [UInt8], source: String) -> Result<[(Int, [String])], ScalingLawsError> {
        var parser = CSVRecordParser()
        var records = [(Int, [String])]()
        // The checks the reader made as each record was emitted: the header's names, then field counts.
        func check() -> ScalingLawsError? {
            guard let (line, header) = records.first else { return nil }
            var seen = [String: Int]()
            for (i, name) in header.enumerated() {
                if name.isEmpty { return .malformedFile(file: source, line: line, message: "header column \(i + 1) has no name") }
                if let j = seen[name.lowercased()] {
                    return .malformedFile(file: source, line: line, message: "header columns \(j + 1) and \(i + 1) are both named \(displayQuoted(name)); rename or remove one")
                }
                seen[name.lowercased()] = i
            }
            for (line, fields) in records.dropFirst() where fields.count != header.count {
                let comment = fields.first?.hasPrefix("#") == true ? "; comment lines (#) are allowed only above the header" : ""
                return .malformedFile(file: source, line: line, message: "expected \(header.count) fields as in the header, found \(fields.count)\(comment)")
            }
            return nil
        }
        func encoding() -> ScalingLawsError? {
            parser.encodingError.map { .malformedFile(file: source, line: $0.line, message: "field \($0.column) is not UTF-8 text; save the file as UTF-8") }
        }
        bytes.withUnsafeBufferPointer { parser.feed($0) { records.append(($0, $1)) } }
        if let error = check() ?? encoding() { return .failure(error) }
        let closed = parser.finish { records.append(($0, $1)) }
        if let error = check() { return .failure(error) }
        guard closed else {
            return .failure(.malformedFile(file: source, line: parser.recordLine, message: "a quoted field is not closed: add the closing \""))
        }
        if let error = encoding() { return .failure(error) }
        guard !records.isEmpty else {
            return .failure(.malformedFile(file: source, line: nil, message: "the file is empty: expected a header row such as \"params,tokens,loss\" and one row per run or logged point"))
        }
        return .success(records)
    }

    static func readerRecords(_ bytes: [UInt8], source: String, bufferSize: Int) -> Result<[(Int, [String])], ScalingLawsError> {
        do throws(ScalingLawsError) {
            let reader = try CSVReader(bytes: bytes, source: source, bufferSize: bufferSize)
            var records = [(reader.line, reader.header)]
            while try reader.nextRow() {
                records.append((reader.line, reader.strings))
                // The bytes a row hands out are the bytes of its strings.
                for i in 0..<reader.fieldCount where Array(reader.field(i)) != Array(reader.string(i).utf8) {
                    return .failure(.malformedFile(file: source, line: reader.line, message: "field bytes differ"))
                }
            }
            return .success(records)
        } catch {
            return .failure(error)
        }
    }

    static func sameRecords(_ a: Result<[(Int, [String])], ScalingLawsError>, _ b: Result<[(Int, [String])], ScalingLawsError>) -> Bool {
        switch (a, b) {
        case let (.failure(x), .failure(y)): return x == y
        case let (.success(x), .success(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    @Test("CSV records: the reader's plain-line path equals the parser on random files and any buffer size")
    func readerMatchesTheParser() {
        var random = Random(state: 2024)
        // Plain pieces (the fast path) and every awkward one: quotes, CR, CRLF, blanks, #, non-ASCII, bad UTF-8.
        let pieces: [[UInt8]] = ["a", "1e9", "r1", ",", ",", ",", "\n", "\n", "\r\n", "\r", " ", "\t", "\"", "\"\"",
                                 "#", "é", "2.5", "x y"].map { Array($0.utf8) } + [[0xFF], [0xEF, 0xBB, 0xBF]]
        for trial in 0..<1200 {
            var bytes = [UInt8]()
            if random.int(4) == 0 { bytes += [0xEF, 0xBB, 0xBF] }
            bytes += Array((random.int(5) == 0 ? "# note\n" : "").utf8)
            bytes += Array(random.pick(["run,tokens,loss\n", "run,tokens,loss\r\n", "a\n", "run,\"to,kens\",loss\n"]).utf8)
            for _ in 0..<random.int(40) {
                // Mostly well-formed rows, sometimes arbitrary bytes.
                if random.int(3) == 0 {
                    for _ in 0..<random.int(6) { bytes += random.pick(pieces) }
                } else {
                    bytes += Array("r\(random.int(5)), \(random.int(1000)) ,\(random.int(100)).5".utf8)
                    bytes += random.pick([[0x0A], [0x0D, 0x0A], [0x0D], []])
                }
            }
            let source = "random-\(trial).csv"
            let expected = Self.referenceRecords(bytes, source: source)
            for size in [4, 5, 7, 13, 64, 1 << 20] {
                let got = Self.readerRecords(bytes, source: source, bufferSize: size)
                #expect(Self.sameRecords(got, expected), "trial \(trial), buffer \(size): \(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// The runs (or the error) the CLI got before streaming: the whole file as a table, then
    /// ``LongFormat`` (long-format or `use` given) or ``RunTable`` (one run per row).
    static func referenceRuns(_ text: String, variables: [String], use: CheckpointUse?) -> Result<[Run], ScalingLawsError> {
        do throws(ScalingLawsError) {
            let table = try CSVTable(text: text, source: "log.csv")
            if use != nil || LongFormat.isLongFormat(table) {
                return .success(try LongFormat.runs(from: table, variables: variables, use: use ?? .final))
            }
            return .success(try RunTable.runs(from: table, variables: variables))
        } catch {
            return .failure(error)
        }
    }

    static func streamedRuns(_ text: String, variables: [String], use: CheckpointUse?, bufferSize: Int) -> Result<[Run], ScalingLawsError> {
        do throws(ScalingLawsError) {
            let file = try RunFile(bytes: Array(text.utf8), source: "log.csv", bufferSize: bufferSize)
            return .success(try file.runs(variables: variables, use: use).runs)
        } catch {
            return .failure(error)
        }
    }

    static let logs: [String] = [
        // Grouped by run, steps out of order, a step-0 row, CRLF line ends, no final newline.
        "run,params,step,tokens,loss\r\na,1e8,2,2e9,3.1\r\na,1e8,1,1e9,3.5\r\na,1e8,0,0,9\r\nb,2e8,1,1e9,3.2\r\nb,2e8,3,3e9,2.9",
        // Interleaved runs, quoted fields (a comma in a label), a label on two lines, ties in step.
        "run,params,step,tokens,loss\n\"r,1\",1e8,1,1e9,3.5\n\"multi\nline\",2e8,1,1e9,3.4\n\"r,1\",1e8,2,2e9,3.1\n\"multi\nline\",2e8,2,2e9,3.0\n\"r,1\",1e8,2,2e9,3.05\n",
        // A bad loss on an earlier checkpoint: --use final never reads it; checkpoints report it.
        "run,params,step,tokens,loss\na,1e8,1,1e9,oops\na,1e8,2,2e9,3.1\nb,2e8,1,1e9,3.2\nb,2e8,2,2e9,3.0\n",
        // A bad loss on the final point of the second run, and on a checkpoint of the first.
        "run,params,step,tokens,loss\na,1e8,1,1e9,-1\na,1e8,2,2e9,3.1\nb,2e8,1,1e9,3.2\nb,2e8,2,2e9,x\n",
        // A bad step (checked on every row), then a ragged row further down: the CSV error wins.
        "run,params,step,tokens,loss\na,1e8,one,1e9,3.5\na,1e8,2,2e9,3.1\nb,2e8,1,1e9\n",
        // An empty run label; every point at step 0; a header without rows.
        "run,params,step,tokens,loss\na,1e8,1,1e9,3.5\n,1e8,2,2e9,3.1\na,1e8,3,3e9,3\n",
        "run,params,step,tokens,loss\na,1e8,0,0,3.5\na,1e8,0,0,3.1\n",
        "run,params,step,tokens,loss\n",
        // No run column; no tokens column (a column error after the row checks); units and blanks.
        "params,step,tokens,loss\n1e8,1,1e9,3.5\n1e8,2,2e9,3.1\n",
        "run,params,step,loss\na,1e8,1,3.5\na,1e8,2,3.1\n",
        "run,params,step,tokens,loss\n a , 100M , 1 , 1B , 3.5 \n a ,100M,2,2_000_000_000,3.1\n",
        // One run per row: distinct labels (a wide file), and repeated labels without a progress column.
        "run,params,tokens,loss\na,1e8,1e9,3.5\nb,2e8,2e9,3.1\nc,4e8,4e9,2.9\n",
        "run,params,tokens,loss\nm70,7e7,1e9,3.5\nm70,7e7,2e9,3.1\nm140,1.4e8,2e9,2.9\n",
        // Non-ASCII labels and a comment above the header.
        "# made by hand\nrun,params,step,tokens,loss\nmodèle,1e8,1,1e9,3.5\nmodèle,1e8,2,2e9,3.1\nрун,2e8,1,1e9,3.2\nрун,2e8,2,2e9,3.0\n",
    ]

    @Test("Runs: streamed final, checkpoints and auto-detected reads equal the table path, for any buffer size")
    func streamedRunsEqualTheTablePath() {
        let variables = ChinchillaLaw().variables
        for (n, log) in Self.logs.enumerated() {
            for use in [nil, CheckpointUse.final, .checkpoints] {
                let expected = Self.referenceRuns(log, variables: variables, use: use)
                for size in [4, 9, 16, 1 << 20] {
                    let got = Self.streamedRuns(log, variables: variables, use: use, bufferSize: size)
                    #expect(got == expected, "log \(n), use \(use?.rawValue ?? "auto"), buffer \(size)")
                }
            }
        }
        // The cases above reach both outcomes.
        let outcomes = Self.logs.map { Self.referenceRuns($0, variables: variables, use: .final) }
        #expect(outcomes.contains { if case .success = $0 { true } else { false } })
        #expect(outcomes.contains { if case .failure = $0 { true } else { false } })
    }

    @Test("Runs: a generated log of 8,000 rows in random order, streamed through small buffers, equals the table path")
    func generatedLogEqualsTheTablePath() {
        var random = Random(state: 99)
        var rows = [String]()
        for r in 0..<50 {
            let n = 1e7 * Double(1 + r)
            for s in 1...160 {
                let loss = 2 + 400 / pow(n, 0.34) + 400 / pow(1e6 * Double(s), 0.28) + Double(random.int(1000)) / 1e6
                rows.append("run\(r),\(n),\(s),\(1e6 * Double(s)),\(loss)")
            }
        }
        for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, random.int(i + 1)) }
        let log = "run,params,step,tokens,loss\n" + rows.joined(separator: "\n") + "\n"
        let variables = ChinchillaLaw().variables
        for use in [nil, CheckpointUse.final, .checkpoints] {
            let expected = Self.referenceRuns(log, variables: variables, use: use)
            let got = Self.streamedRuns(log, variables: variables, use: use, bufferSize: 4096)
            #expect(got == expected, "use \(use?.rawValue ?? "auto")")
            if case .success(let runs) = got { #expect(runs.count == (use == .checkpoints ? 8_000 : 50)) }
        }
    }

    @Test("Curves: read from a stream with small buffers equal curves read from the table")
    func streamedCurvesEqualTheTable() throws {
        for log in Self.logs + ["run,params,tokens,loss\na,1e8,1e9,3.5\na,1e8,2e9,\na,1e8,2e9,3.1\na,1e8,2e9,3.3\r\na,1e8,3e9,  \n"] {
            let expected: Result<[TrainingCurve], ScalingLawsError>
            do throws(ScalingLawsError) {
                expected = .success(try CurveTable.curves(from: try CSVTable(text: log, source: "log.csv")))
            } catch {
                expected = .failure(error)
            }
            for size in [4, 11, 1 << 20] {
                let got: Result<[TrainingCurve], ScalingLawsError>
                do throws(ScalingLawsError) {
                    got = .success(try CurveTable.curves(reading: try CSVReader(bytes: Array(log.utf8), source: "log.csv", bufferSize: size)))
                } catch {
                    got = .failure(error)
                }
                #expect(got == expected, "buffer \(size): \(log.debugDescription)")
            }
        }
    }
}
