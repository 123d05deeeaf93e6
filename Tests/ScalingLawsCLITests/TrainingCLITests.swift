import Foundation
import Testing

/// `scaling curve`, `scaling task` and `--use final|checkpoints` end to end.
struct TrainingCLITests {
    let curves = repositoryRoot.appendingPathComponent("Examples/data/learning_curves_synthetic.csv").path
    let task = repositoryRoot.appendingPathComponent("Examples/data/task_synthetic.csv").path

    @Test func curveForecastsTheRestOfTheRun() throws {
        let r = try scaling(["curve", curves, "--run", "m160", "--through", "9.6e8", "--tokens", "3.2e9", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        for key in ["run", "tokens", "loss", "new_run_interval", "law_interval", "calibrated_interval", "parameters", "actual", "points_used", "points_skipped", "points_held_out"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let interval = try #require(json["new_run_interval"] as? [Double])
        let actual = try #require(json["actual"] as? Double)
        #expect(interval[0] < actual && actual < interval[1])
        #expect(Set((json["parameters"] as? [String: Double] ?? [:]).keys) == ["E", "A", "alpha"])
        let text = try scaling(["curve", curves, "--run", "m160", "--through", "9.6e8", "--tokens", "3.2e9"])
        #expect(text.status == 0 && text.stdout.contains("inside the calibrated interval"))
    }

    @Test func taskPredictsAccuracyThroughTwoSteps() throws {
        let r = try scaling(["task", task, "--loss-col", "task_loss", "--metric-col", "accuracy", "--params", "7e9,7e9",
                             "--tokens", "1.4e11,1.4e12", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let predictions = try #require(json["predictions"] as? [[String: Any]])
        #expect(predictions.count == 2)
        for p in predictions {
            for key in ["params", "tokens", "loss", "metric", "new_run_interval", "law_interval"] { #expect(p[key] != nil, "missing \(key)") }
            // The composed truth of Examples/scripts/make_training_examples.py.
            let n = p["params"] as! Double, d = p["tokens"] as! Double
            let loss = 1.0 + 300 * pow(n, -0.32) + 500 * pow(d, -0.3)
            let truth = 0.7 / (1 + exp(8 * (loss - 1.5))) + 0.25
            let interval = p["new_run_interval"] as! [Double]
            #expect(interval[0] < truth && truth < interval[1])
        }
        let metricFit = try #require(json["metric_fit"] as? [String: Any])
        #expect(metricFit["law"] as? String == "sigmoid")
        let overtrained = try scaling(["task", task, "--loss-col", "task_loss", "--metric-col", "accuracy", "--law-loss", "overtrained",
                                       "--params", "1B", "--tokens", "1T"])
        #expect(overtrained.status == 0, "\(overtrained.stderr)")
        #expect(overtrained.stdout.contains("overtrained"))
    }

    @Test("Checkpoint fits give intervals clustered by run: a run's checkpoints are one independent unit")
    func checkpointIntervalsClusterByRun() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 12 runs of the Chinchilla law, 20 checkpoints each, each run shifted by its own factor.
        var csv = "run,params,tokens,loss\n"
        for r in 0..<12 {
            let n = 1e8 * pow(10, Double(r % 4) / 2), d = 2e9 * pow(10, Double(r / 4) / 2)
            let shift = 0.01 * sin(Double(r) * 2.3)
            for i in 1...20 {
                let tokens = d * Double(i) / 20
                let loss = (1.69 + 406.4 / pow(n, 0.34) + 410.7 / pow(tokens, 0.28)) * exp(shift + 0.002 * sin(Double(r * 20 + i)))
                csv += "r\(r),\(n),\(tokens),\(loss)\n"
            }
        }
        let file = dir.appendingPathComponent("log.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)
        let json = try scaling(["fit", file.path, "--use", "checkpoints", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let uncertainty = try #require(try jsonObject(json.stdout)["uncertainty"] as? [String: Any])
        #expect(uncertainty["clusters"] as? Int == 12)
        #expect((uncertainty["definition"] as? String)?.contains("clustered") == true)
        let text = try scaling(["fit", file.path, "--use", "checkpoints"])
        #expect(text.stdout.contains("clustered by run (jackknife sandwich over 12 runs or groups taken as independent, t with 11 d.o.f."))
    }

    @Test func fitAndBacktestReadLongFormatLogs() throws {
        let final = try scaling(["fit", curves, "--use", "final", "--law", "saturating", "--x", "params", "--fix", "E=1.69", "--format", "json"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try jsonObject(final.stdout)["runs"] as? Int == 3)
        let checkpoints = try scaling(["fit", curves, "--use", "checkpoints", "--law", "chinchilla", "--format", "json"])
        #expect(checkpoints.status == 0, "\(checkpoints.stderr)")
        let json = try jsonObject(checkpoints.stdout)
        #expect(json["runs"] as? Int == 300)
        let parameters = try #require(json["parameters"] as? [String: Double])
        #expect(abs(parameters["E"]! - 1.69) < 0.1)
        // Three runs for five parameters: too few groups to cluster on, and the report says so.
        let uncertainty = try #require(json["uncertainty"] as? [String: Any])
        #expect(uncertainty["clusters"] == nil)
        #expect((json["warnings"] as? [String] ?? []).contains { $0.contains("3 independent groups") && $0.contains("too narrow") })
        let backtest = try scaling(["backtest", curves, "--use", "checkpoints", "--law", "chinchilla", "--train", "tokens<=2e9", "--format", "json"])
        #expect(backtest.status == 0, "\(backtest.stderr)")
        #expect(try jsonObject(backtest.stdout)["mare"] as? Double ?? 1 < 0.05)
    }
}
