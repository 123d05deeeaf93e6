import Foundation
import Testing
@testable import ScalingLaws

/// A fit's JSON is streamed (``FitResult/writeJSON(adding:to:)``, ``FitResult/write(to:inputs:)``): the rest
/// of the record by `JSONEncoder`, the training runs by a hand-written writer. The bytes must be exactly
/// `JSONEncoder`'s (``JSON/encode(_:)`` of the record), so these tests compare them byte for byte on runs
/// chosen to exercise every formatting rule; any drift in indentation, separators, key order, number
/// formatting or string escapes fails them.
@Suite("Fit JSON: streamed training runs, byte for byte JSONEncoder's")
struct FitJSONTests {
    /// Doubles whose formatting differs: whole, huge, tiny, subnormal, negative zero, at 2^53, long
    /// fractions, exponent forms, non-finite.
    static let doubles: [Double] = [
        0, -0.0, 1, 2, -3, 0.1, -1.5, 1.0 / 3, .pi, 1e15, 1e16, 1e17, 123456789012345683968, 9007199254740992,
        4503599627370497.5, 1e-5, 1e-4, 0.001, 1e300, -1e300, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, 1e21, 1e22, 2.5e-7, 6.02214076e23, 200000050168296, 9.998000004826299e+19,
        .infinity, -.infinity, .nan, -.nan, .signalingNaN,
    ]

    /// Labels with quotes, backslashes, slashes, control characters (every one below 0x20, and DEL),
    /// non-ASCII letters, an emoji, and the same letter precomposed and decomposed (equal under `==`,
    /// different bytes).
    static let labels: [String] = [
        "run0000", "he said \"hi\"", "back\\slash", "a/b//c", "tab\tnew\nline\rcr", "\u{8}\u{c}bell\u{7}",
        String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }) + "\u{7f}", "résumé", "re\u{301}sume\u{301}",
        "日本語 😀 \u{2028}\u{2029}", "", " ", "{\"json\": [1, 2]}",
    ]

    /// Runs of mixed shape: absent fields, values dictionaries with keys whose UTF-8 order differs from a
    /// case-insensitive or numeric order, weights, groups.
    static func variedRuns() -> [Run] {
        var runs = [Run]()
        var rng = SplitMix64(seed: 11)
        func pick<T>(_ a: [T]) -> T { a[rng.nextIndex(a.count)] }
        let valueSets: [[String: Double]] = [
            [:], ["unique_tokens": 1e9], ["camelCase": 2, "a10": 1, "a9": 3, "B": 4, "_x": 5, "é": 6, "Z": 7, "a\"q": 8, "ctl\u{1}": 9],
            ["steps": 0.5, "lr": -0.0],
        ]
        for i in 0..<400 {
            var run = Run()
            if i % 7 != 0 { run.params = pick(doubles) }
            if i % 5 != 1 { run.tokens = pick(doubles) }
            if i % 3 != 2 { run.flops = pick(doubles) }
            if i % 11 != 3 { run.loss = pick(doubles) }
            if i % 2 == 0 { run.weight = pick(doubles) }
            if i % 4 != 0 { run.group = pick(labels) }
            var values = pick(valueSets)
            for key in values.keys { values[key] = pick(doubles) }
            run.values = values
            runs.append(run)
        }
        // Random bit patterns: any double, with its shortest round-trip description.
        for i in 0..<2000 {
            let bits = Double(bitPattern: rng.next())
            runs.append(Run(params: bits, tokens: Double(bitPattern: rng.next() >> 2), loss: Double(rng.next() % 100_000) / 1000,
                            values: i % 3 == 0 ? ["x": Double(bitPattern: rng.next())] : [:], group: "g\(i / 100)"))
        }
        return runs
    }

    /// Checkpoints of a few long runs, as a log gives them: N, the weight and the group constant within a
    /// run, D and the loss varying, C = k·N·D (stored by column with C derived).
    static func checkpoints(k: Double = 6) -> [Run] {
        var rng = SplitMix64(seed: 5)
        var runs = [Run]()
        for r in 0..<6 {
            let n = 1e7 * Double(r + 1) * 1.37
            for step in 1...300 {
                let d = Double(step) * 1361.0 + Double(rng.nextIndex(1000))
                runs.append(Run(params: n, tokens: d, flops: k * n * d, loss: 2 + 1 / Double(step) + Double(rng.nextIndex(1000)) / 1e6,
                                group: "run\(r)", weight: 1.0 / 300))
            }
        }
        return runs
    }

    /// A fit whose training runs are `store`, with ties, bounds (one side infinite) and an objective value.
    private func fit(_ store: RunStore) throws -> FitResult {
        let given = try FitResult(law: ChinchillaLaw(), parameters: ["E": 1.69, "A": 406.4, "B": 406.4, "alpha": 0.34, "beta": 0.34])
        return FitResult(law: given.law, parameters: given.parameters, fixed: ["E"], objective: given.objective, objectiveValue: 0.0123,
                         residuals: [], runs: store.count, summary: given.summary, search: given.search,
                         flopsPerParamToken: 6, trainingSet: store,
                         constraints: ParameterConstraints(ties: ["B": "A"], bounds: ["alpha": ClosedBounds(0, .infinity)]), jacobian: nil)
    }

    /// What ``FitResult/writeJSON(adding:to:)`` hands its sink, joined.
    private func streamed(_ fit: FitResult, adding extra: (any Encodable)? = nil) throws -> (bytes: [UInt8], pieces: Int) {
        var bytes = [UInt8](), pieces = 0
        try fit.writeJSON(adding: extra) { bytes.append(contentsOf: $0); pieces += 1 }
        return (bytes, pieces)
    }

    /// The first byte where two outputs differ, with some context, for a readable failure.
    private func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        func around(_ x: [UInt8]) -> String { String(decoding: x[max(0, i - 80)..<min(x.count, i + 80)], as: UTF8.self) }
        return "at byte \(i) of \(a.count)/\(b.count):\n--- streamed\n\(around(a))\n--- JSONEncoder\n\(around(b))"
    }

    @Test("The runs writer writes an array of runs as JSONEncoder does, at the top level and nested")
    func runsWriterMatchesJSONEncoder() throws {
        let runs = Self.variedRuns()
        var ours = [UInt8]()
        RunsJSON.appendArray(runs, level: 0, to: &ours)
        let theirs = Array(try JSON.encode(runs))
        let same = ours == theirs
        #expect(same, "\(firstDifference(ours, theirs))")
        // One run at a time, so that each formatting rule fails on its own run.
        for run in runs.prefix(400) {
            var one = [UInt8]()
            RunsJSON.appendArray([run], level: 0, to: &one)
            let expected = Array(try JSON.encode([run]))
            let same = one == expected
            #expect(same, "\(firstDifference(one, expected))")
        }
        var empty = [UInt8]()
        RunsJSON.appendArray([Run](), level: 2, to: &empty)
        #expect(String(decoding: empty, as: UTF8.self) == "[\n\n    ]")
    }

    @Test("Every double and every label is written as JSONEncoder writes it")
    func numbersAndStringsMatchJSONEncoder() throws {
        struct Box: Encodable { var value: Double }
        struct Label: Encodable { var value: String }
        for v in Self.doubles {
            var ours = Array("{\n  \"value\" : ".utf8)
            RunsJSON.appendNumber(v, &ours)
            ours += Array("\n}".utf8)
            #expect(String(decoding: ours, as: UTF8.self) == String(decoding: try JSON.encode(Box(value: v)), as: UTF8.self), "\(v)")
        }
        let all = Self.labels + (0..<128).map { String(Character(Unicode.Scalar(UInt8($0)))) }
        for label in all {
            var ours = Array("{\n  \"value\" : ".utf8)
            RunsJSON.appendString(label, &ours)
            ours += Array("\n}".utf8)
            let expected = Array(try JSON.encode(Label(value: label)))
            let same = ours == expected
            #expect(same, "\(label.debugDescription): \(firstDifference(ours, expected))")
        }
    }

    @Test("A fit's streamed JSON is JSON.encode of its record, for runs of mixed shape and runs by column")
    func streamedFitMatchesRecord() throws {
        let mixed = RunStore(Self.variedRuns())
        if case .columns = mixed.storage { Issue.record("runs of mixed shape should be kept as runs") }
        let columns = RunStore(Self.checkpoints())
        guard case .columns(let c) = columns.storage, case .derivedFlops = c.flops else {
            Issue.record("checkpoints should be stored by column with C derived")
            return
        }
        for store in [mixed, columns, RunStore(wrapping: Self.checkpoints())] {
            let f = try fit(store)
            let expected = Array(try JSON.encode(f.record))
            var withoutRuns = f.record
            withoutRuns.trainingRuns = nil
            #expect(f.recordWithoutTrainingRuns == withoutRuns)
            // The splice must be the fast path, not the fallback that encodes the whole record.
            #expect(RunsJSON.standInSplit(try JSON.encode(f.record(trainingRuns: [Run()]))) != nil)
            let (bytes, pieces) = try streamed(f)
            let same = bytes == expected
            #expect(same, "\(firstDifference(bytes, expected))")
            if expected.count > 3 * RunsJSON.chunkSize { #expect(pieces >= expected.count / RunsJSON.chunkSize) }
        }
    }

    @Test("Keys added to the record (as scaling fit adds intervals) land in their sorted places around training_runs")
    func streamedFitWithExtraKeys() throws {
        struct Extra: Encodable {
            var intervals: [String: [Double]] = ["A": [1, 2]]
            var uncertainty: [String: String] = ["method": "asymptotic"]
            var warnings: [String] = []
            var zzz: Double = -0.0
        }
        struct Merged: Encodable {
            var record: FitRecord
            var extra: Extra
            func encode(to encoder: any Encoder) throws {
                try record.encode(to: encoder)
                try extra.encode(to: encoder)
            }
        }
        let f = try fit(RunStore(Self.checkpoints()))
        let expected = Array(try JSON.encode(Merged(record: f.record, extra: Extra())))
        let (bytes, _) = try streamed(f, adding: Extra())
        let same = bytes == expected
        #expect(same, "\(firstDifference(bytes, expected))")
    }

    @Test("A fit with no training runs writes no training_runs key")
    func noTrainingRuns() throws {
        let f = try fit(RunStore())
        let (bytes, _) = try streamed(f)
        let same = bytes == Array(try JSON.encode(f.record))
        #expect(same)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("training_runs"))
    }

    @Test("write(to:) saves the streamed bytes atomically, and they read back as the same fit")
    func savedFileIsTheRecord() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fitjson-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fit.json").path
        let runs = Self.checkpoints()
        let f = try fit(RunStore(runs))
        try f.write(to: path)
        let saved = try Data(contentsOf: URL(fileURLWithPath: path))
        let same = Array(saved) == Array(try JSON.encode(f.record))
        #expect(same)
        let back = try FitResult(contentsOf: path)
        #expect(back.trainingRuns == runs)
        #expect(back.parameters == f.parameters)
    }

    @Test("An error from the sink stops the write and reaches the caller")
    func sinkErrorStops() throws {
        struct Full: Error {}
        let f = try fit(RunStore(Self.checkpoints()))
        var calls = 0
        #expect(throws: Full.self) {
            try f.writeJSON { _ in
                calls += 1
                if calls == 2 { throw Full() }
            }
        }
        #expect(calls == 2)
    }

    // MARK: Reading back

    /// Exactly the same bits in every field, and the same label bytes.
    private func identical(_ a: Run, _ b: Run) -> Bool {
        func same(_ x: Double?, _ y: Double?) -> Bool { x?.bitPattern == y?.bitPattern || (x?.isNaN == true && y?.isNaN == true) }
        return same(a.params, b.params) && same(a.tokens, b.tokens) && same(a.flops, b.flops) && same(a.loss, b.loss)
            && same(a.weight, b.weight) && a.values.keys.sorted() == b.values.keys.sorted()
            && a.values.allSatisfy { same($0.value, b.values[$0.key]) }
            && a.group.map { Array($0.utf8) } == b.group.map { Array($0.utf8) }
    }

    private func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// The fast reader's record and runs against JSONDecoder's decoding of the whole file.
    private func expectReadsAsDecoder(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let data = Data(text.utf8)
        let full = try decoder().decode(FitRecord.self, from: data)
        guard let (record, runs) = RunsJSONReader.read(data, decoder: decoder()) else {
            Issue.record("the fast reader gave up", sourceLocation: sourceLocation)
            return
        }
        var withoutRuns = full
        withoutRuns.trainingRuns = nil
        #expect(record == withoutRuns, sourceLocation: sourceLocation)
        let expected = full.trainingRuns ?? []
        let same = runs.count == expected.count && zip(runs, expected).allSatisfy(identical)
        #expect(same, sourceLocation: sourceLocation)
    }

    @Test("The fast reader reads saved runs as JSONDecoder does, bit for bit, and keeps checkpoints by column")
    func readerMatchesDecoder() throws {
        for runs in [Self.variedRuns(), Self.checkpoints()] {
            let f = try fit(RunStore(runs))
            let text = String(decoding: try JSON.encode(f.record), as: UTF8.self)
            try expectReadsAsDecoder(text)
            // Other spellings of the same JSON: compact, keys reordered, escapes JSONEncoder does not write.
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
            try expectReadsAsDecoder(String(decoding: try JSONSerialization.data(withJSONObject: object, options: []), as: UTF8.self))
        }
        let f = try fit(RunStore(Self.checkpoints()))
        guard let (_, store) = RunsJSONReader.read(try JSON.encode(f.record), decoder: decoder()) else {
            Issue.record("the fast reader gave up")
            return
        }
        if case .columns = store.storage {} else { Issue.record("checkpoints read back should be stored by column") }
        let base = String(decoding: try JSON.encode(f.record(trainingRuns: [])), as: UTF8.self)
        #expect(base.contains("\"training_runs\" : [\n\n  ]"))
        try expectReadsAsDecoder(base)
        // Hand-written variants: training_runs first, last, alone-ish; escapes; whitespace.
        let record = String(decoding: try JSON.encode(f.record(trainingRuns: nil)), as: UTF8.self)
        let inner = record.dropFirst().dropLast()   // the members, without the braces
        let runs = #"[ {"values":{"a\u0041":1E2,"\ud83d\ude00":-0},"group":"x\/y\u00e9\n","loss":"nan","params":1e-3} ,{"values":{},"group":"x\/y\u00e9\n","tokens":0.5e+1}]"#
        try expectReadsAsDecoder("{\"training_runs\":\(runs),\(inner)}")
        try expectReadsAsDecoder("{\(inner),\r\n\t\"training_runs\" :\(runs)  }\n")
    }

    @Test("The fast reader gives up on what it does not take, and the file is then read (or refused) as before")
    func readerGivesUp() throws {
        let f = try fit(RunStore(Self.checkpoints()))
        let record = String(decoding: try JSON.encode(f.record(trainingRuns: nil)), as: UTF8.self)
        let inner = record.dropFirst().dropLast()
        let refused = [
            #"[{"values":{},"loss":null}]"#, #"[{"values":{},"extra":1}]"#, #"[{"values":{},"loss":1,"loss":2}]"#,
            #"[{"loss":1}]"#, #"[{"values":{},"loss":1e400}]"#, #"[{"values":{},"loss":01}]"#, #"[{"values":{},"loss":"1"}]"#,
            #"[{"values":{"a":1,"a":2}}]"#, #"[{"values":{},"group":"\ud800"}]"#, #"[{"values":{},"group":1}]"#,
            #"[{"values":{}},]"#, #"[{"values":null}]"#, "[{\"values\":{},\"group\":\"a\u{1}b\"}]", #"null"#,
        ]
        for runs in refused {
            let data = Data("{\"training_runs\":\(runs),\(inner)}".utf8)
            #expect(RunsJSONReader.read(data, decoder: decoder()) == nil, "\(runs)")
        }
        // Whether they decode or not, FitResult(contentsOf:) answers as JSONDecoder and init(record:) do.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fitjson-read-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fit.json").path
        try Data("{\"training_runs\":[{\"loss\":1}],\(inner)}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ScalingLawsError.badFitFile(path: path, message: "key \"values\" is missing")) { try FitResult(contentsOf: path) }
        try Data("{\"training_runs\":[{\"values\":{},\"loss\":true}],\(inner)}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ScalingLawsError.badFitFile(path: path, message: "unexpected value at \"training_runs.Index 0.loss\"")) { try FitResult(contentsOf: path) }
        try Data(record.replacingOccurrences(of: "\"runs\" : 1800", with: "\"runs\" : 3").replacingOccurrences(of: "\n}", with: ",\"training_runs\":[{\"values\":{},\"params\":1,\"tokens\":1,\"loss\":1}]}").utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ScalingLawsError.badFitFile(path: path, message: "\"runs\" is 3 but \"training_runs\" holds 1 runs")) { try FitResult(contentsOf: path) }
    }
}
