import Foundation
import Testing

@Suite("scaling command line: intervals, backtest, compare, objectives")
struct UncertaintyCLITests {
    @Test("fit JSON carries intervals, standard errors, correlations, derived exponents and the method")
    func fitIntervals() throws {
        let r = try scaling(["fit", exampleCSV, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let intervals = try #require(json["intervals"] as? [String: [Double]])
        for name in ["E", "A", "B", "alpha", "beta", "a", "b"] {
            let i = try #require(intervals[name], "\(name)")
            #expect(i.count == 2 && i[0] < i[1])
        }
        let errors = try #require(json["standard_errors"] as? [String: Double])
        #expect(errors["alpha"]! > 0)
        #expect((json["uncertainty"] as? [String: Any])?["method"] as? String == "asymptotic")
        #expect(((json["correlations"] as? [String: [String: Double]])?["A"]?["alpha"] ?? 0) > 0.99)
        #expect((json["warnings"] as? [String])?.isEmpty == false)
    }

    @Test("--bootstrap: same seed gives byte-identical JSON, another seed other draws; bare --bootstrap means 1000")
    func bootstrapDeterminism() throws {
        let args = ["fit", exampleCSV, "--bootstrap", "100", "--format", "json"]
        let a = try scaling(args + ["--seed", "3"])
        let b = try scaling(args + ["--seed", "3"])
        let c = try scaling(args + ["--seed", "4"])
        #expect(a.status == 0 && b.status == 0 && c.status == 0, "\(a.stderr)")
        #expect(a.stdout == b.stdout)
        #expect(a.stdout != c.stdout)
        let u = try #require((try jsonObject(a.stdout))["uncertainty"] as? [String: Any])
        #expect(u["method"] as? String == "bootstrap" && u["replicates"] as? Int == 100 && u["seed"] as? Int == 3)
        // Not a terminal: no progress bar on stderr.
        #expect(a.stderr.isEmpty)
        // A two-parameter law refits fast: 1000 replicates cost a fraction of a Chinchilla bootstrap.
        let bare = try scaling(["fit", exampleCSV, "--law", "power", "--x", "flops", "--bootstrap", "--format", "json"])
        #expect(bare.status == 0, "\(bare.stderr)")
        let bu = try #require((try jsonObject(bare.stdout))["uncertainty"] as? [String: Any])
        #expect(bu["replicates"] as? Int == 1000)
    }

    @Test("predict gives the law interval and a wider new-run interval; optimal gives intervals for N, D, D/N and loss")
    func predictionIntervals() throws {
        let p = try scaling(["predict", exampleCSV, "--params", "70B", "--tokens", "1.4T", "--format", "json"])
        #expect(p.status == 0, "\(p.stderr)")
        let prediction = try #require(((try jsonObject(p.stdout))["predictions"] as? [[String: Any]])?.first)
        let loss = try #require(prediction["loss"] as? Double)
        let law = try #require(prediction["law_interval"] as? [Double])
        let run = try #require(prediction["new_run_interval"] as? [Double])
        #expect(law[0] < loss && loss < law[1])
        #expect(run[0] < law[0] && run[1] > law[1])

        let o = try scaling(["optimal", exampleCSV, "--flops", "5.88e23", "--format", "json"])
        #expect(o.status == 0, "\(o.stderr)")
        let intervals = try #require((try jsonObject(o.stdout))["intervals"] as? [String: [Double]])
        #expect(Set(intervals.keys) == ["params", "tokens", "tokens_per_param", "loss"])
    }

    @Test("A saved fit still gives intervals; published constants give none")
    func savedFitIntervals() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("fit.json").path
        #expect(try scaling(["fit", exampleCSV, "--save", saved]).status == 0)
        let p = try scaling(["predict", "--fit", saved, "--params", "1B", "--tokens", "20B", "--format", "json"])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(((try jsonObject(p.stdout))["predictions"] as? [[String: Any]])?.first?["law_interval"] is [Double])
        let given = try scaling(["predict", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--params", "1B", "--tokens", "20B", "--format", "json"])
        #expect(given.status == 0)
        #expect(((try jsonObject(given.stdout))["predictions"] as? [[String: Any]])?.first?["law_interval"] == nil)
    }

    @Test("backtest JSON has the scores and one row per held-out run")
    func backtest() throws {
        let r = try scaling(["backtest", exampleCSV, "--law", "chinchilla", "--train", "flops<=5.59e20", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        for key in ["mare", "max_are", "bias", "coverage", "median_are"] { #expect(json[key] is Double, "\(key)") }
        #expect(abs((json["mare"] as! Double) - 0.0105) < 0.0015)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count == 48)
        for key in ["predicted", "actual", "are", "new_run_interval", "law_interval", "extrapolation"] { #expect(runs[0][key] != nil, "\(key)") }
        let text = try scaling(["backtest", exampleCSV, "--holdout-top", "20%", "--by", "params"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("MARE 0.91%"))
    }

    @Test("compare ranks laws and reports their flags")
    func compare() throws {
        let r = try scaling(["compare", exampleCSV, "--laws", "power,saturating,chinchilla", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let laws = try #require((try jsonObject(r.stdout))["laws"] as? [[String: Any]])
        #expect(laws.count == 3)
        #expect(laws.map { $0["rank"] as? Int } == [1, 2, 3])
        for key in ["backtest_mare", "in_sample_mare", "aic", "bic", "flags"] { #expect(laws[0][key] != nil, "\(key)") }
        let marks = laws.compactMap { $0["backtest_mare"] as? Double }
        #expect(marks == marks.sorted())
        let power = try #require(laws.first { $0["law"] as? String == "power" })
        #expect(((power["flags"] as? [String]) ?? []).count >= 2)
        let text = try scaling(["compare", exampleCSV])
        #expect(text.stdout.contains("best       by backtest:"))
    }

    @Test("--objectives shows how the forecast and N_opt move")
    func objectives() throws {
        let r = try scaling(["optimal", exampleCSV, "--flops", "1e24", "--objectives", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let entries = try #require((try jsonObject(r.stdout))["objectives"] as? [[String: Any]])
        #expect(entries.count == 4)
        let sizes = entries.compactMap { ($0["optima"] as? [[String: Any]])?.first?["params"] as? Double }
        #expect(sizes.count == 4 && Set(sizes).count == 4)
        let text = try scaling(["predict", exampleCSV, "--params", "70B", "--tokens", "1.4T", "--objectives"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("asymmetric(0.1)/log"))
    }
}
