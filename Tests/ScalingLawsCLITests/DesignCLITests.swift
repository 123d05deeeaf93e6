import Foundation
import Testing

@Suite("scaling design, end to end")
struct DesignCLITests {
    /// The Chinchilla runs with C ≤ 5.59e20 as candidates (their loss column is ignored), and 10% of their FLOPs.
    func chinchillaCandidates(in directory: URL) throws -> (path: String, budget: Double, count: Int) {
        let text = try String(contentsOfFile: exampleCSV, encoding: .utf8)
        var lines = text.split(separator: "\n").map(String.init)
        let header = lines.removeFirst()
        #expect(header == "params,tokens,flops,loss")
        let kept = lines.filter { Double($0.split(separator: ",")[2])! <= 5.59e20 }
        let total = kept.reduce(0.0) { $0 + Double($1.split(separator: ",")[2])! }
        let path = directory.appendingPathComponent("candidates.csv").path
        try (["params,tokens,flops,loss,notes"] + kept.map { $0 + ",ignored" }).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (path, total / 10, kept.count)
    }

    @Test("design --format json: runs, cost within the budget, predicted half-width and the standard designs")
    func proposeJSON() throws {
        let r = try scaling(["design"] + hoffmannFix + ["--noise", "0.01", "--budget", "1e20", "--target-flops", "1e22", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(runs.count >= 6)
        var total = 0.0
        for run in runs {
            let n = try double(run, "params"), d = try double(run, "tokens"), c = try double(run, "flops")
            #expect(abs(6 * n * d / c - 1) < 1e-9)
            total += c
        }
        let cost = try double(json, "cost")
        #expect(abs(total / cost - 1) < 1e-9 && cost <= 1e20)
        let halfWidth = try double(json, "predicted_half_width")
        let baselines = try #require(json["baselines"] as? [[String: Any]])
        #expect(baselines.map { $0["name"] as? String } == ["isoflop-grid", "ladder-20"])
        let grid = try double(baselines[0], "predicted_half_width")
        #expect(halfWidth > 0 && halfWidth < grid)
        // The ladder at fixed D/N barely separates the A and B terms: undetermined (null) or much wider.
        #expect(baselines[1].keys.contains("predicted_half_width"))
        #expect(baselines[1]["predicted_half_width"] is NSNull || (baselines[1]["predicted_half_width"] as? Double ?? 0) > halfWidth)
        #expect(abs(try double(baselines[0], "cost") / 1e20 - 1) < 1e-9)
    }

    @Test("design --candidates: only given runs, their flops column as cost; --design scores a design; --plot draws it")
    func candidatesScoreAndPlot() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (path, budget, count) = try chinchillaCandidates(in: directory)
        #expect(count == 192)
        let svg = directory.appendingPathComponent("design.svg").path
        let r = try scaling(["design"] + hoffmannFix + ["--noise", "0.01", "--budget", "\(budget)", "--target-flops", "1.3e22",
                                                         "--candidates", path, "--format", "json", "--plot", svg])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let runs = try #require(json["runs"] as? [[String: Any]])
        let given = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            line.split(separator: ",").prefix(3).map { Double($0)! }
        }
        for run in runs {
            // Every proposed run is a line of the candidates file, costed by its own flops column.
            let row = [try double(run, "params"), try double(run, "tokens"), try double(run, "flops")]
            #expect(given.contains { zip($0, row).allSatisfy { abs($0 / $1 - 1) < 1e-12 } }, "\(row)")
        }
        #expect(try double(json, "cost") <= budget)
        #expect(json["candidates_given"] as? Int == 192)
        let image = try String(contentsOfFile: svg, encoding: .utf8)
        for part in ["<svg", "class=\"isocost\"", "class=\"run\"", "class=\"baseline\"", "class=\"target\"", "class=\"candidate\""] {
            #expect(image.contains(part), "\(part)")
        }
        // Score mode: the design file's runs as given.
        let design = directory.appendingPathComponent("runs.csv").path
        try "params,tokens\n1e8,2e9\n2e8,4e9\n4e8,8e9\n1e8,8e9\n4e8,2e9\n2e8,1e9\n2e8,16e9\n".write(toFile: design, atomically: true, encoding: .utf8)
        let s = try scaling(["design"] + hoffmannFix + ["--noise", "0.01", "--design", design, "--target-flops", "1e22", "--format", "json"])
        #expect(s.status == 0, "\(s.stderr)")
        let scored = try jsonObject(s.stdout)
        #expect(scored["mode"] as? String == "score")
        #expect(abs(try double(scored, "cost") / (6 * (2e17 + 8e17 + 32e17 + 8e17 + 8e17 + 2e17 + 32e17)) - 1) < 1e-9)
        _ = try double(scored, "predicted_half_width")
        #expect((scored["runs"] as? [Any])?.count == 7)
        // Text report names the runs, the cost and the comparison.
        let t = try scaling(["design"] + hoffmannFix + ["--noise", "0.01", "--design", design, "--target-flops", "1e22"])
        #expect(t.status == 0 && t.stdout.contains("standard designs of equal cost") && t.stdout.contains("isoflop-grid"))
    }

    @Test("design: degenerate requests fail with the flag to fix")
    func degenerate() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (path, _, _) = try chinchillaCandidates(in: directory)
        let base = ["design"] + hoffmannFix + ["--noise", "0.01", "--target-flops", "1e22"]
        let cases: [([String], String)] = [
            (base + ["--budget", "0"], "--budget"),
            (base + ["--budget", "-1e20"], "--budget"),
            (base + ["--budget", "1e17", "--candidates", path], "cheapest candidate"),
            (base + ["--budget", "1e21", "--candidates", path, "--min-params", "1e12"], "no candidate inside the limits"),
            (base + ["--budget", "1e20", "--max-tokens", "1e3"], "no candidate inside the limits"),
            (base, "--budget"),
            (base + ["--budget", "1e20", "--max-runs", "3"], "--max-runs"),
            (base + ["--budget", "1e20", "--ratio-band", "1"], "--ratio-band"),
            (["design", "--law", "chinchilla", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34", "--noise", "0.01", "--budget", "1e20", "--target-flops", "1e22"], "missing beta"),
            (["design"] + hoffmannFix + ["--budget", "1e20", "--target-flops", "1e22"], "--noise"),
            (["design"] + hoffmannFix + ["--noise", "1e-320", "--budget", "1e20", "--target-flops", "1e22"], "--noise"),
            (["design"] + hoffmannFix + ["--noise", "0.01", "--budget", "1e20"], "give the target"),
            (base + ["--budget", "1e20", "--target-optimum", "1e22"], "give one target"),
            (["design"] + hoffmannFix + ["--noise", "0.01", "--budget", "1e20", "--target-params", "1e9"], "--target-tokens"),
        ]
        for (arguments, expected) in cases {
            let r = try scaling(arguments)
            #expect(r.exited && r.status != 0, "\(arguments)")
            #expect(r.stderr.contains(expected), "\(arguments): \(r.stderr)")
        }
    }

    @Test("design has a help page with examples and every flag")
    func help() throws {
        let r = try scaling(["help", "design"])
        #expect(r.status == 0)
        for part in ["Examples:", "scaling design", "--budget", "--target-flops", "--target-optimum", "--target-params", "--candidates",
                     "--design", "--noise", "--min-params", "--max-params", "--max-tokens", "--ratio-band", "--max-runs", "--plot"] {
            #expect(r.stdout.contains(part), "\(part)")
        }
    }

    @Test("design from pilot runs: the noise is the pilot fit's residual scale")
    func pilot() throws {
        let r = try scaling(["design", exampleCSV, "--law", "chinchilla", "--budget", "1e21", "--target-optimum", "1e24",
                             "--max-params", "2e9", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        #expect(json["noise_source"] as? String == "pilot fit's residual scale")
        let noise = try double(json, "noise")
        #expect(noise > 0.001 && noise < 0.05)
        let runs = try #require(json["runs"] as? [[String: Any]])
        #expect(try runs.allSatisfy { try double($0, "params") <= 2e9 })
        #expect((json["tokens_interval"] as? [Double])?.count == 2)
    }
}
