import Foundation
import Testing
@testable import ScalingLaws

@Suite("CSV input")
struct DataTests {
    @Test("Quantities with units", arguments: [
        ("70B", 70e9), ("1.4T", 1.4e12), ("5.88e23", 5.88e23), ("400M", 400e6), ("125k", 125e3),
        ("1.5G", 1.5e9), ("2P", 2e15), ("1_000_000", 1e6), (" 3.25 ", 3.25), ("7b", 7e9),
    ])
    func quantities(text: String, value: Double) {
        #expect(parseQuantity(text) == value)
    }

    @Test("Rejected quantities", arguments: ["", "abc", "nan", "NaN", "inf", "-inf", "1e999", "70X", "B", "1.2.3", "0x10"])
    func rejected(text: String) {
        #expect(parseQuantity(text) == nil)
    }

    @Test("Comments, blank lines, quotes, CRLF and aliases")
    func parsing() throws {
        let text = "# a ladder\r\n  # indented comment\r\nN,D,\"val_loss\"\r\n\r\n70M,1.4B,3.1\r\n\r\n\"1B\",20B,2.6\r\n"
        let table = try CSVTable(text: text, source: "t.csv")
        #expect(table.header == ["N", "D", "val_loss"])
        #expect(table.lines == [5, 7])
        let runs = try RunTable.runs(from: table, variables: ChinchillaLaw().variables)
        #expect(runs.count == 2)
        #expect(runs[1].params == 1e9 && runs[1].tokens == 20e9 && runs[1].loss == 2.6)
        #expect(runs[1].flops == 6 * 1e9 * 20e9)
    }

    @Test("D is derived from C and N (and N from C and D)")
    func derivation() throws {
        let table = try CSVTable(text: "params,flops,loss\n1e9,6e19,2.5\n", source: "t.csv")
        let runs = try RunTable.runs(from: table, variables: ChinchillaLaw().variables, flopsPerParamToken: 6)
        #expect(runs[0].tokens == 1e10)
        let t2 = try CSVTable(text: "tokens,compute,loss\n1e10,6e19,2.5\n", source: "t.csv")
        #expect(try RunTable.runs(from: t2, variables: ChinchillaLaw().variables)[0].params == 1e9)
    }

    @Test("Column overrides")
    func overrides() throws {
        let table = try CSVTable(text: "size,toks,my_loss\n1e9,2e10,2.5\n", source: "t.csv")
        let runs = try RunTable.runs(from: table, variables: ChinchillaLaw().variables,
                                     columns: .init(params: "size", tokens: "toks", loss: "my_loss"))
        #expect(runs[0].params == 1e9 && runs[0].loss == 2.5)
    }

    @Test("Bad values name file, line, column and what was expected", arguments: [
        ("params,tokens,loss\n1e9,2e10,abc\n", 2, 3, "abc"),
        ("params,tokens,loss\n1e9,2e10,2.5\n1e9,2e10,NaN\n", 3, 3, "NaN"),
        ("params,tokens,loss\n-1e9,2e10,2.5\n", 2, 1, "-1e9"),
        ("params,tokens,loss\n1e9,0,2.5\n", 2, 2, "0"),
        ("params,tokens,loss\n1e9,,2.5\n", 2, 2, ""),
    ])
    func badValues(text: String, line: Int, column: Int, found: String) throws {
        let table = try CSVTable(text: text, source: "runs.csv")
        let error = try #require(#expect(throws: ScalingLawsError.self) {
            try RunTable.runs(from: table, variables: ChinchillaLaw().variables)
        })
        guard case let .badValue(file, l, c, _, _, f) = error else { Issue.record("wrong error \(error)"); return }
        #expect(file == "runs.csv" && l == line && c == column && f == found)
        #expect(error.description.contains("line \(line), column \(column)"))
    }

    @Test("Malformed files are errors with a line number where there is one")
    func malformed() throws {
        #expect(throws: ScalingLawsError.malformedFile(file: "e.csv", line: nil, message: "the file is empty: expected a header row such as \"params,tokens,loss\" and one row per run or logged point")) {
            try CSVTable(text: "# only a comment\n\n", source: "e.csv")
        }
        #expect(throws: ScalingLawsError.malformedFile(file: "r.csv", line: 3, message: "expected 3 fields as in the header, found 2")) {
            try CSVTable(text: "params,tokens,loss\n1,2,3\n1,2\n", source: "r.csv")
        }
        #expect(throws: ScalingLawsError.self) { try CSVTable(text: "params,tokens,loss\n\"1,2,3\n", source: "q.csv") }
        let headerOnly = try CSVTable(text: "params,tokens,loss\n", source: "h.csv")
        #expect(throws: ScalingLawsError.self) { try RunTable.runs(from: headerOnly, variables: ["params"]) }
    }

    @Test("A missing column lists what was looked for and what the header has")
    func missingColumn() throws {
        let table = try CSVTable(text: "params,loss\n1e9,2.5\n", source: "m.csv")
        let error = try #require(#expect(throws: ScalingLawsError.self) {
            try RunTable.runs(from: table, variables: ChinchillaLaw().variables)
        })
        #expect(error.description.contains("m.csv"))
        #expect(error.description.contains("\"train_tokens\""))
        #expect(error.description.contains("\"params\", \"loss\""))
        let noLoss = try CSVTable(text: "params,tokens\n1e9,2e10\n", source: "m.csv")
        #expect(throws: ScalingLawsError.self) { try RunTable.runs(from: noLoss, variables: ["params"]) }
        // Prediction targets need no loss.
        #expect(try RunTable.runs(from: noLoss, variables: ["params"], requireLoss: false).count == 1)
    }

    @Test("Columns the law does not read may hold anything")
    func unusedColumns() throws {
        let table = try CSVTable(text: "name,params,loss\nrun-a,1e9,2.5\nrun b,2e9,2.4\n", source: "u.csv")
        let runs = try RunTable.runs(from: table, variables: ["params"])
        #expect(runs.count == 2)
    }
}

@Suite("One CSV reader: every file reads the same way from a table or a stream")
struct CSVReaderAgreementTests {
    /// Reads `bytes` both ways: as a table, and streamed from a file in 1 MiB chunks.
    static func bothWays(_ bytes: [UInt8]) throws -> [Result<[[String]], ScalingLawsError>] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csv-agree-\(UUID().uuidString).csv")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let table = Result { () throws(ScalingLawsError) -> [[String]] in
            let t = try CSVTable(bytes: bytes, source: "x.csv"); return [t.header] + t.rows
        }
        let file = Result { () throws(ScalingLawsError) -> [[String]] in
            let t = try CSVTable(contentsOf: url.path); return [t.header] + t.rows
        }
        let stream = Result { () throws(ScalingLawsError) -> [[String]] in
            var out = [[String]]()
            try CSVStream.read(contentsOf: url.path, header: { out.append($0) }, row: { _, r in out.append(r) })
            return out
        }
        return [table, file.mapError { Self.renamed($0, from: url.path) }, stream.mapError { Self.renamed($0, from: url.path) }]
    }

    static func renamed(_ e: ScalingLawsError, from path: String) -> ScalingLawsError {
        if case let .malformedFile(file, line, message) = e, file == path { return .malformedFile(file: "x.csv", line: line, message: message) }
        return e
    }

    @Test("BOM, CR-only line ends, CRLF, comments above the header: identical records")
    func sameRecords() throws {
        let cases: [[UInt8]] = [
            Array("\u{FEFF}params,tokens,loss\n1e9,2e10,2.5\n".utf8),
            Array("params,tokens,loss\r1e9,2e10,2.5\r2e9,4e10,2.4".utf8),
            Array("# note\r\nparams,tokens,loss\r\n1e9,2e10,2.5\r\n".utf8),
        ]
        for bytes in cases {
            let results = try Self.bothWays(bytes)
            let records = try results.map { try $0.get() }
            #expect(records[0][0] == ["params", "tokens", "loss"])
            #expect(records[0][1] == ["1e9", "2e10", "2.5"])
            #expect(records[0] == records[1] && records[1] == records[2])
        }
    }

    @Test("Invalid UTF-8, repeated columns and a comment below the header: the same error, with its line", arguments: [
        ("params,tokens,loss\n1e9,2e10,2.5\nr\u{E9},1,2\n", 3, "not UTF-8"),
        ("params,Params,loss\n1e9,2e10,2.5\n", 1, "both named"),
        ("params,tokens,loss\n1e9,2e10,2.5\n# later note\n", 3, "only above the header"),
    ])
    func sameErrors(text: String, line: Int, fragment: String) throws {
        // \u{E9} stands for the single Latin-1 byte 0xE9.
        let bytes = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        let results = try Self.bothWays(bytes)
        for result in results {
            guard case .failure(let error) = result, case let .malformedFile(_, l, message) = error else {
                Issue.record("expected an error, got \(result)"); continue
            }
            #expect(l == line)
            #expect(message.description.contains(fragment), "\(message)")
        }
    }

    @Test("Error messages quote file text safely: control characters escaped, long fields cut")
    func quoting() {
        #expect(displayQuoted("abc") == "\"abc\"")
        #expect(displayQuoted("\u{1B}[31m") == "\"\\u{1B}[31m\"")
        #expect(!displayQuoted("a\nb").contains("\n"))
        let long = displayQuoted(String(repeating: "x", count: 10_000_000))
        #expect(long.count < 120)
        #expect(long.contains("10000000 characters"))
    }
}
