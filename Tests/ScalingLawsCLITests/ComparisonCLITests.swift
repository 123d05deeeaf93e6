import Foundation
import Testing

@Suite("scaling compare and backtest: the laws asked for, splits on columns the law does not read")
struct ComparisonCLITests {
    /// The laws ranked in a `compare --format json` output, by name.
    func rankedLaws(_ arguments: [String], in dir: URL? = nil) throws -> (names: [String], json: [String: Any]) {
        let r = try scaling(arguments + ["--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let laws = try #require(json["laws"] as? [[String: Any]])
        return (laws.compactMap { $0["law"] as? String }, json)
    }

    @Test("compare --laws kaplan,chinchilla ranks those two; --law kaplan ranks kaplan alone")
    func lawsAsked() throws {
        let two = try rankedLaws(["compare", exampleCSV, "--laws", "kaplan,chinchilla"])
        #expect(Set(two.names) == ["kaplan", "chinchilla"] && two.names.count == 2)
        let one = try rankedLaws(["compare", exampleCSV, "--law", "kaplan"])
        #expect(one.names == ["kaplan"])
        // Without any, the default three.
        #expect(Set(try rankedLaws(["compare", exampleCSV]).names) == ["power", "saturating", "chinchilla"])
    }

    @Test("compare --law sigmoid --x myloss fits the sigmoid on that column and holds out the lowest losses")
    func sigmoidOnColumn() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The metric is the value being forecast (the loss column), myloss its input.
        var csv = "params,tokens,myloss,loss\n"
        for (i, l) in stride(from: 4.0, through: 2.4, by: -0.1).enumerated() {
            let acc = 0.25 + 0.6 / (1 + exp(-(-4) * (l - 3.0)))
            csv += "\(1e8 * Double(i + 1)),\(2e9 * Double(i + 1)),\(l),\(acc * (1 + 0.002 * sin(Double(i))))\n"
        }
        try csv.write(to: dir.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        let r = try rankedLaws(["compare", "runs.csv", "--law", "sigmoid", "--x", "myloss"], in: dir)
        #expect(r.names == ["sigmoid"])
        let entry = try #require((r.json["laws"] as? [[String: Any]])?.first)
        #expect((entry["formula"] as? String)?.contains("myloss") == true, "\(entry["formula"] ?? "")")
        #expect((r.json["split"] as? String) == "train on myloss >= its 20th percentile")
        let parameters = try #require(entry["parameters"] as? [String: Double])
        #expect(abs((parameters["L0"] ?? 0) - 3.0) < 0.05, "\(parameters)")
        // --x also reaches exp-error and capability in a list, and is refused when no law takes it.
        let both = try rankedLaws(["compare", "runs.csv", "--laws", "sigmoid,exp-error", "--x", "myloss"], in: dir)
        #expect(Set(both.names) == ["sigmoid", "exp-error"])
        let refused = try scaling(["compare", exampleCSV, "--laws", "kaplan,chinchilla", "--x", "flops"])
        #expect(refused.status != 0 && refused.stderr.contains("--x flops"), "\(refused.stderr)")
    }

    @Test("compare with --formula adds the formula law to the ranking")
    func formulaLaw() throws {
        let r = try rankedLaws(["compare", exampleCSV, "--laws", "chinchilla", "--formula", "E + A*N^-alpha + B*D^-alpha"])
        #expect(Set(r.names) == ["chinchilla", "formula"])
        let entry = try #require((r.json["laws"] as? [[String: Any]])?.first { $0["law"] as? String == "formula" })
        #expect((entry["parameters"] as? [String: Double])?.keys.sorted() == ["A", "B", "E", "alpha"])
        let alone = try rankedLaws(["compare", exampleCSV, "--formula", "E + A*C^-alpha"])
        #expect(alone.names == ["formula"])
    }

    @Test("backtest and compare split on a column the law does not read: a law in C, the largest N held out")
    func splitOnOtherColumn() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A file with a flops column, so that N is not needed to derive C.
        var csv = "params,tokens,flops,loss\n"
        for n in [1e8, 2e8, 4e8, 8e8, 1.6e9] {
            for d in [2e9, 8e9, 3.2e10] {
                let c = 6 * n * d
                csv += "\(n),\(d),\(c),\(1.7 + 400 / pow(c, 0.15))\n"
            }
        }
        try csv.write(to: dir.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        let b = try scaling(["backtest", "runs.csv", "--law", "saturating", "--x", "flops", "--holdout-top", "20%", "--by", "params", "--format", "json"], in: dir)
        #expect(b.status == 0, "\(b.stderr)")
        let json = try jsonObject(b.stdout)
        #expect(json["split"] as? String == "hold out the top 20% of runs by params")
        let held = try #require(json["runs"] as? [[String: Any]])
        #expect(held.count == 3 && held.allSatisfy { $0["params"] as? Double == 1.6e9 })
        let c = try rankedLaws(["compare", "runs.csv", "--laws", "power,saturating", "--holdout-top", "20%", "--by", "params"], in: dir)
        #expect(c.json["split"] as? String == "hold out the top 20% of runs by params")
        let t = try scaling(["backtest", "runs.csv", "--law", "saturating", "--train", "params<1e9", "--format", "json"], in: dir)
        #expect(t.status == 0, "\(t.stderr)")
        #expect((try jsonObject(t.stdout)["test_runs"] as? Int) == 3)
    }
}
