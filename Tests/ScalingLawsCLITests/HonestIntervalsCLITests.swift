import Foundation
import Testing

/// Writes `text` to a new CSV file in a fresh temporary directory.
private func csv(_ text: String) throws -> (URL, String) {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("runs.csv").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return (dir, path)
}

/// A Chinchilla-law value.
private func chinchilla(_ n: Double, _ d: Double) -> Double { 1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(d, 0.28) }

@Suite("scaling: honest intervals, extrapolation and identifiability")
struct HonestIntervalsCLITests {
    @Test("A single-size ladder and identical rows print 'not identifiable', naming the parameters")
    func notIdentifiable() throws {
        var single = "params,tokens,loss\n"
        for (i, d) in [1e9, 2e9, 4e9, 8e9, 16e9, 32e9, 64e9, 128e9].enumerated() {
            single += "1e8,\(d),\(chinchilla(1e8, d) * (1 + 0.003 * Double((i * 7) % 5 - 2)))\n"
        }
        let (dir, path) = try csv(single)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try scaling(["fit", path, "--law", "chinchilla"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("not identifiable: the data determine only combinations of E, A, alpha (one distinct model size"), "\(r.stdout)")
        #expect(!r.stdout.contains("e-15") && !r.stdout.contains("e-16"))

        let (dir2, path2) = try csv("params,tokens,loss\n" + String(repeating: "1e8,2e9,3.1\n", count: 10))
        defer { try? FileManager.default.removeItem(at: dir2) }
        let r2 = try scaling(["fit", path2, "--law", "chinchilla"])
        #expect(r2.stdout.contains("not identifiable") && r2.stdout.contains("1 distinct run for 5 free parameters"), "\(r2.stdout)\(r2.stderr)")
    }

    @Test("Exact synthetic data print the no-scatter note instead of zero-width intervals")
    func noScatter() throws {
        var text = "params,tokens,loss\n"
        for n in [1e7, 3e7, 1e8, 3e8, 1e9] { for r in [5.0, 20, 80] { text += "\(n),\(n * r),\(chinchilla(n, n * r))\n" } }
        let (dir, path) = try csv(text)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try scaling(["fit", path, "--law", "chinchilla"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("no scatter measured"), "\(r.stdout)")
        #expect(!r.stdout.contains("[1.69, 1.69]"))
    }

    @Test("predict states the extrapolation and the calibrated interval, warns past the calibration, and refuses absurd targets")
    func predictExtrapolation() throws {
        let r = try scaling(["predict", exampleCSV, "--law", "chinchilla", "--params", "70B", "--tokens", "1.4T", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let p = try #require((json["predictions"] as? [[String: Any]])?.first)
        let ratios = try #require(p["extrapolation"] as? [String: Double])
        #expect(abs(ratios["flops"]! - 5.88e23 / 1.2948e22) / ratios["flops"]! < 0.05)
        #expect(ratios["params"]! > 4 && ratios["tokens"]! > 1)
        let calibrated = try #require(p["calibrated_interval"] as? [Double])
        let newRun = try #require(p["new_run_interval"] as? [Double])
        #expect(calibrated[0] < newRun[0] && calibrated[1] > newRun[1])
        #expect(json["calibration"] != nil)

        let text = try scaling(["predict", exampleCSV, "--law", "chinchilla", "--params", "70B", "--tokens", "1.4T"])
        #expect(text.stdout.contains("calibrated interval") && text.stdout.contains("× flops"))

        let far = try scaling(["predict", exampleCSV, "--law", "chinchilla", "--params", "1e25", "--tokens", "1.4T"])
        #expect(far.status != 0)
        #expect(far.stderr.contains("no scaling law extrapolates beyond"), "\(far.stderr)")
    }

    @Test("backtest reports coverage and half-width per interval kind with a verdict")
    func backtestKinds() throws {
        let r = try scaling(["backtest", exampleCSV, "--law", "chinchilla", "--train", "flops<=5.59e20", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let kinds = try #require(json["intervals"] as? [[String: Any]])
        #expect(kinds.map { $0["kind"] as? String } == ["law", "new_run", "calibrated"])
        let coverage = kinds.map { $0["coverage"] as! Double }
        #expect(coverage[0] < coverage[1] && coverage[1] < coverage[2])
        #expect(coverage[2] >= 0.85)
        #expect((json["verdict"] as? String)?.contains("calibrated intervals honest") == true)
        let text = try scaling(["backtest", exampleCSV, "--law", "chinchilla", "--train", "flops<=5.59e20"])
        #expect(text.stdout.contains("verdict    calibrated intervals honest"))
        #expect(text.stdout.contains("new-run intervals: 46% of held-out losses inside"))
    }

    @Test("curve prints the calibrated interval, the ratio to the last fitted point, and refuses a target before the data")
    func curve() throws {
        let path = repositoryRoot.appendingPathComponent("Examples/data/learning_curves_synthetic.csv").path
        let r = try scaling(["curve", path, "--run", "m160", "--through", "9.6e8", "--tokens", "3.2e9", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        #expect(abs((json["extrapolation"] as! Double) - 3.2e9 / 9.6e8) < 0.2)
        let calibrated = try #require(json["calibrated_interval"] as? [Double])
        let plain = try #require(json["new_run_interval"] as? [Double])
        #expect(calibrated[0] <= plain[0] && calibrated[1] >= plain[1])
        // A log whose schedule rows leave the loss empty (here the 25M runs of Luo et al.): those rows
        // carry no point. The cosine run's end from its first 20%, 2.4% below the schedule-blind forecast.
        let mp = repositoryRoot.appendingPathComponent("Examples/data/multipower_25m.csv").path
        let real = try scaling(["curve", mp, "--run", "cosine_24000", "--tokens-per-step", "1", "--run-params", "25M",
                                "--through", "4787", "--tokens", "23920", "--format", "json"])
        #expect(real.status == 0, "\(real.stderr)")
        let realJSON = try jsonObject(real.stdout)
        let realInterval = try #require(realJSON["calibrated_interval"] as? [Double])
        let actual = try #require(realJSON["actual"] as? Double)
        #expect(realInterval[0] <= actual && actual <= realInterval[1])
        #expect(!((realJSON["new_run_interval"] as? [Double]).map { $0[0] <= actual && actual <= $0[1] } ?? true))
        let before = try scaling(["curve", path, "--run", "m160", "--tokens", "1"])
        #expect(before.status != 0 && before.stderr.contains("before the first fitted point"), "\(before.stderr)")
    }
}
