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
        let text = "# a ladder\r\nN,D,\"val_loss\"\r\n\r\n70M,1.4B,3.1\r\n  # mid comment\r\n\"1B\",20B,2.6\r\n"
        let table = try CSVTable(text: text, source: "t.csv")
        #expect(table.header == ["N", "D", "val_loss"])
        #expect(table.lines == [4, 6])
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
        #expect(throws: ScalingLawsError.malformedFile(file: "e.csv", line: nil, message: "the file is empty: expected a header row such as \"params,tokens,loss\" and one row per run")) {
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
