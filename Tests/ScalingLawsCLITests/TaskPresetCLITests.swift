import Foundation
import Testing

@Suite("scaling task: --metric-runs, the extrapolation warning, presets")
struct TaskPresetCLITests {
    static func taskLoss(_ n: Double, _ d: Double) -> Double { 1 + 300 / pow(n, 0.32) + 500 / pow(d, 0.3) }
    static func accuracy(_ l: Double) -> Double { 0.7 / (1 + exp(4 * (l - 2))) + 0.25 }

    /// The ladder (step 1, losses 1.66–4.0) and 30 models for step 2 (losses 1.3–4.0), as in the library's
    /// TwoStepSynthetic.
    func files() throws -> URL {
        let dir = try temporaryDirectory()
        var ladder = "params,tokens,task_loss,accuracy\n", i = 0
        for n in [2e7, 5e7, 1e8, 2e8, 5e8, 1e9] {
            for m in [20.0, 40, 80] {
                i += 1
                let l = Self.taskLoss(n, m * n) * (1 + 0.001 * sin(Double(i)))
                ladder += "\(n),\(m * n),\(l),\(Self.accuracy(l) + 0.002 * cos(Double(i)))\n"
            }
        }
        var more = "model,task_loss,accuracy\n"
        for j in 0..<30 {
            let l = 1.3 + 2.7 * Double(j) / 29
            more += "m\(j),\(l),\(Self.accuracy(l) + 0.002 * sin(3 * Double(j)))\n"
        }
        try ladder.write(to: dir.appendingPathComponent("ladder.csv"), atomically: true, encoding: .utf8)
        try more.write(to: dir.appendingPathComponent("more.csv"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test("--metric-runs reproduces the generating law at a 7B target; without it the extrapolation warning fires")
    func metricRuns() throws {
        let dir = try files()
        defer { try? FileManager.default.removeItem(at: dir) }
        let base = ["task", "ladder.csv", "--loss-col", "task_loss", "--metric-col", "accuracy", "--params", "7e9", "--tokens", "1.4e11"]
        let r = try scaling(base + ["--metric-runs", "more.csv", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let p = try #require((json["predictions"] as? [[String: Any]])?.first)
        let truth = Self.accuracy(Self.taskLoss(7e9, 1.4e11))
        #expect(abs(try double(p, "metric") - truth) < 0.01)
        #expect(p["outside_metric_fit"] as? Bool == false)
        #expect((json["warnings"] as? [String])?.isEmpty == true)
        #expect((json["metric_fit"] as? [String: Any])?["runs"] as? Int == 30)
        #expect(!r.stderr.contains("warning"))

        let alone = try scaling(base, in: dir)
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(alone.stdout.contains("warning    target 1: predicted task loss"), "\(alone.stdout)")
        #expect(alone.stdout.contains("below the task losses step 2 was fitted on"))
        let aloneJSON = try scaling(base + ["--format", "json"], in: dir)
        #expect(aloneJSON.stderr.contains("scaling: warning: target 1"))
        let q = try #require((try jsonObject(aloneJSON.stdout)["predictions"] as? [[String: Any]])?.first)
        #expect(q["outside_metric_fit"] as? Bool == true)
    }

    @Test("--preset gadre2024 fits overtrained → exp-error by least squares on raw values; llama3 a power law in C → sigmoid")
    func presets() throws {
        let dir = try files()
        defer { try? FileManager.default.removeItem(at: dir) }
        // An error column for exp-error.
        let text = try String(contentsOf: dir.appendingPathComponent("more.csv"), encoding: .utf8)
        let withError = text.split(separator: "\n").enumerated().map { i, line -> String in
            if i == 0 { return line + ",error" }
            let acc = Double(line.split(separator: ",")[2])!
            return line + ",\(1 - acc)"
        }.joined(separator: "\n") + "\n"
        try withError.write(to: dir.appendingPathComponent("more.csv"), atomically: true, encoding: .utf8)
        let ladder = try String(contentsOf: dir.appendingPathComponent("ladder.csv"), encoding: .utf8)
        let ladderError = ladder.split(separator: "\n").enumerated().map { i, line -> String in
            if i == 0 { return line + ",error" }
            return line + ",\(1 - Double(line.split(separator: ",")[3])!)"
        }.joined(separator: "\n") + "\n"
        try ladderError.write(to: dir.appendingPathComponent("ladder.csv"), atomically: true, encoding: .utf8)

        let g = try scaling(["task", "ladder.csv", "--metric-runs", "more.csv", "--loss-col", "task_loss", "--metric-col", "error",
                             "--preset", "gadre2024", "--params", "7e9", "--tokens", "1.4e11", "--format", "json"], in: dir)
        #expect(g.status == 0, "\(g.stderr)")
        let gj = try jsonObject(g.stdout)
        let lossFit = try #require(gj["loss_fit"] as? [String: Any]), metricFit = try #require(gj["metric_fit"] as? [String: Any])
        #expect(lossFit["law"] as? String == "overtrained")
        #expect(metricFit["law"] as? String == "exp-error")
        #expect((lossFit["objective"] as? String)?.contains("(y - y_hat)^2") == true, "\(lossFit["objective"] ?? "")")
        #expect((metricFit["objective"] as? String)?.contains("(y - y_hat)^2") == true)

        let l = try scaling(["task", "ladder.csv", "--metric-runs", "more.csv", "--loss-col", "task_loss", "--metric-col", "accuracy",
                             "--preset", "llama3", "--flops", "5.88e21", "--format", "json"], in: dir)
        #expect(l.status == 0, "\(l.stderr)")
        let lj = try jsonObject(l.stdout)
        #expect((lj["loss_fit"] as? [String: Any])?["law"] as? String == "power")
        #expect(((lj["loss_fit"] as? [String: Any])?["objective"] as? String)?.contains("ln(y) - ln(y_hat)") == true)
        #expect((lj["metric_fit"] as? [String: Any])?["law"] as? String == "sigmoid")
        // An explicit law wins over the preset.
        let o = try scaling(["task", "ladder.csv", "--loss-col", "task_loss", "--metric-col", "accuracy", "--preset", "llama3",
                             "--law-loss", "saturating", "--flops", "5.88e21", "--format", "json"], in: dir)
        #expect(o.status == 0, "\(o.stderr)")
        #expect((try jsonObject(o.stdout)["loss_fit"] as? [String: Any])?["law"] as? String == "saturating")
    }
}

@Suite("scaling curve and envelope: repeated token counts")
struct RepeatedTokenCountsCLITests {
    @Test("A curve with a token count logged twice is averaged, with a note on stderr, and gives the same forecast as the mean")
    func averaged() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try String(contentsOfFile: repositoryRoot.appendingPathComponent("Examples/data/learning_curves_synthetic.csv").path, encoding: .utf8)
        let lines = source.split(separator: "\n").map(String.init)
        // Duplicate one m160 row with a loss 0.01 higher and lower: the mean is the original.
        let row = try #require(lines.first { $0.hasPrefix("m160,") && !$0.contains(",0,") })
        let parts = row.split(separator: ",").map(String.init)
        let loss = Double(parts[3])!
        let twice = lines.flatMap { $0 == row ? ["\(parts[0]),\(parts[1]),\(parts[2]),\(loss + 0.01)", "\(parts[0]),\(parts[1]),\(parts[2]),\(loss - 0.01)"] : [$0] }
        try (twice.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("twice.csv"), atomically: true, encoding: .utf8)
        let arguments = ["--run", "m160", "--through", "9.6e8", "--tokens", "3.2e9", "--format", "json"]
        let r = try scaling(["curve", "twice.csv"] + arguments, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("scaling: note: 1 token count logged more than once in 1 run (\"m160\" (1))"), "\(r.stderr)")
        let original = try scaling(["curve", repositoryRoot.appendingPathComponent("Examples/data/learning_curves_synthetic.csv").path] + arguments)
        let a = try jsonObject(r.stdout), b = try jsonObject(original.stdout)
        let pa = try double(a, "loss"), pb = try double(b, "loss")
        #expect(abs(pa - pb) < 1e-6 * pb, "\(pa) vs \(pb)")
    }
}
