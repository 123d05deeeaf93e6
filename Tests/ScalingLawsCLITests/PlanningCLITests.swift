import Foundation
import Testing

let isoFLOPExample = repositoryRoot.appendingPathComponent("Examples/data/isoflop_synthetic.csv").path
let curvesExample = repositoryRoot.appendingPathComponent("Examples/data/curves_synthetic.csv").path
let hoffmannFix = ["--law", "chinchilla", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28"]

func double(_ json: [String: Any], _ key: String) throws -> Double {
    try #require(json[key] as? Double, "\(key) missing or not a number in \(json.keys.sorted())")
}

@Suite("scaling isoflop, envelope, flops and the optimal plans, end to end")
struct PlanningCLITests {
    @Test("isoflop --format json: budgets, exponents, coefficients and the prediction at --flops")
    func isoFLOPJSON() throws {
        let r = try scaling(["isoflop", isoFLOPExample, "--flops", "3.8e25", "--bootstrap", "200", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let budgets = try #require(json["budgets"] as? [[String: Any]])
        #expect(budgets.count == 5)
        for b in budgets {
            for key in ["flops", "params", "tokens", "loss", "curvature"] { _ = try double(b, key) }
            #expect(abs(6 * (try double(b, "params")) * (try double(b, "tokens")) / (try double(b, "flops")) - 1) < 1e-12)
        }
        #expect(try double(budgets[0], "flops") == 1e18)
        let a = try double(json, "params_exponent"), b = try double(json, "tokens_exponent")
        #expect(abs(a - 0.28 / 0.62) < 0.03)
        #expect(abs(a + b - 1) < 1e-12)
        _ = try double(json, "params_coefficient")
        _ = try double(json, "tokens_coefficient")
        let interval = try #require(json["params_exponent_interval"] as? [Double])
        #expect(interval.count == 2 && interval[0] < a && a < interval[1])
        let prediction = try #require(json["prediction"] as? [String: Any])
        #expect(try double(prediction, "flops") == 3.8e25)
        let n = try double(prediction, "params"), d = try double(prediction, "tokens")
        #expect(abs(6 * n * d / 3.8e25 - 1) < 1e-9)
        #expect(try double(prediction, "loss") > 1.69)
        // Same seed, same numbers.
        let again = try scaling(["isoflop", isoFLOPExample, "--flops", "3.8e25", "--bootstrap", "200", "--format", "json"])
        #expect(again.stdout == r.stdout)
    }

    @Test("isoflop without the budget column clusters C into the same budgets")
    func isoFLOPClustering() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Drop the budget column: C is derived from params and tokens by C = 6ND.
        let text = try String(contentsOfFile: isoFLOPExample, encoding: .utf8).split(separator: "\n").map { line in
            line.hasPrefix("#") ? String(line) : line.split(separator: ",", omittingEmptySubsequences: false).dropFirst().joined(separator: ",")
        }.joined(separator: "\n")
        try text.write(to: dir.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        let clustered = try scaling(["isoflop", "runs.csv", "--format", "json"], in: dir)
        let column = try scaling(["isoflop", isoFLOPExample, "--format", "json"])
        #expect(clustered.status == 0, "\(clustered.stderr)")
        let c = try jsonObject(clustered.stdout), k = try jsonObject(column.stdout)
        #expect((c["budgets"] as? [Any])?.count == 5)
        #expect(abs(try double(c, "params_exponent") - double(k, "params_exponent")) < 1e-4)
        #expect((c["grouping"] as? String)?.hasPrefix("clustered") == true)
        #expect(c["bootstrap"] is NSNull)
    }

    @Test("isoflop text: a row per budget, the allocation with intervals, and a warning for each skipped budget")
    func isoFLOPText() throws {
        let r = try scaling(["isoflop", isoFLOPExample, "--bootstrap", "100"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("budget C"))
        #expect(r.stdout.contains("N*(C) = k_N·C^a"))
        #expect(r.stdout.contains("95% interval"))
        #expect(r.stdout.contains("L*(C)      L = E + A * C^-alpha"))

        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let extra = "1e23,1e9,1.66667e13,2.1\n1e23,2e9,8.33333e12,2.05\n"
        try (try String(contentsOfFile: isoFLOPExample, encoding: .utf8) + extra).write(to: dir.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        let refused = try scaling(["isoflop", "runs.csv"], in: dir)
        #expect(refused.status == 0, "\(refused.stderr)")
        #expect(refused.stdout.contains("warning    skipped budget 1e+23 FLOPs: 2 runs"), "\(refused.stdout)")
        // In JSON: under "skipped" with the reason, and a warning on stderr.
        let json = try scaling(["isoflop", "runs.csv", "--format", "json"], in: dir)
        let skipped = try #require(try jsonObject(json.stdout)["skipped"] as? [[String: Any]])
        #expect(skipped.count == 1 && (skipped[0]["reason"] as? String)?.hasPrefix("2 runs") == true)
        #expect(json.stderr.contains("warning: skipped budget 1e+23 FLOPs"))
    }

    @Test("flops matches the hand counts of GPT-2 small and Llama-2-7B (derivations in ModelAccountingTests)")
    func flops() throws {
        let gpt2 = try scaling(["flops", "--layers", "12", "--d-model", "768", "--heads", "12", "--vocab", "50257", "--context", "1024",
                                "--ffn-dim", "3072", "--tied-embeddings", "--learned-positions", "--biases", "--norm", "layer",
                                "--tokens", "1B", "--format", "json"])
        #expect(gpt2.status == 0, "\(gpt2.stderr)")
        let g = try jsonObject(gpt2.stdout)
        #expect(try double(g, "params") == 124_439_808)
        #expect(try double(g, "non_embedding_params") == 85_056_000)
        #expect(try double(g, "flops_per_token") == 746_638_848)
        #expect(try double(g, "flops_per_token_kaplan") == 566_959_104)
        #expect(try double(g, "non_embedding_flops_per_token") == 622_854_144)
        #expect(try double(g, "training_flops") == 746_638_848e9)

        let llama = try scaling(["flops", "--layers", "32", "--d-model", "4096", "--heads", "32", "--vocab", "32000", "--context", "4096",
                                 "--ffn-dim", "11008", "--gated", "--norm", "rms", "--format", "json"])
        let l = try jsonObject(llama.stdout)
        #expect(try double(l, "params") == 6_738_415_616)
        #expect(try double(l, "non_embedding_flops_per_token") == 45_298_483_200)
        #expect(l["training_flops"] == nil)

        let text = try scaling(["flops", "--layers", "12", "--d-model", "768", "--vocab", "50257", "--context", "1024", "--ffn-ratio", "4",
                                "--tied-embeddings", "--learned-positions"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("total N             124318464"))
        #expect(text.stdout.contains("DeepSeek LLM 2024, eq. 2"))
    }

    @Test("optimal --target-loss --inference-tokens: the plan and the Chinchilla-optimal model reaching the same loss")
    func inferenceAware() throws {
        let r = try scaling(["optimal"] + hoffmannFix + ["--target-loss", "2.0", "--inference-tokens", "2e12", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let keys = ["params", "tokens", "tokens_per_param", "training_flops", "inference_flops", "total_flops", "loss"]
        for key in keys { _ = try double(json, key) }
        let chinchilla = try #require(json["chinchilla_optimal"] as? [String: Any])
        for key in keys { _ = try double(chinchilla, key) }
        #expect(try double(json, "params") < double(chinchilla, "params"))
        #expect(try double(json, "total_flops") < double(chinchilla, "total_flops"))
        #expect(abs(try double(json, "loss") - 2) < 1e-12)
        #expect(abs(try double(json, "inference_flops") - 2 * double(json, "params") * 2e12) < 1)
        // The Chinchilla-optimal model reaching L = 2 is eq. 4's optimum at its own training budget.
        let c = try double(chinchilla, "training_flops")
        let eq4 = try jsonObject(try scaling(["optimal"] + hoffmannFix + ["--flops", "\(c)", "--format", "json"]).stdout)
        #expect(abs(try double(eq4, "params") / double(chinchilla, "params") - 1) < 1e-9)

        let none = try jsonObject(try scaling(["optimal"] + hoffmannFix + ["--target-loss", "2.0", "--format", "json"]).stdout)
        #expect(try double(none, "params") == double(none["chinchilla_optimal"] as! [String: Any], "params"))
        #expect(try double(none, "saving_flops") == 0)

        let budget = try scaling(["optimal"] + hoffmannFix + ["--flops", "1e24", "--inference-tokens", "2T"])
        #expect(budget.status == 0, "\(budget.stderr)")
        #expect(budget.stdout.contains("inference-aware"))
        #expect(budget.stdout.contains("saving"))
    }

    @Test("optimal --tokens-per-param and --max-tokens")
    func constrained() throws {
        let ratio = try jsonObject(try scaling(["optimal"] + hoffmannFix + ["--flops", "1e24", "--tokens-per-param", "100", "--format", "json"]).stdout)
        #expect(abs(try double(ratio, "tokens_per_param") - 100) < 1e-9)
        #expect(abs(try double(ratio, "params") / (1e24 / 600).squareRoot() - 1) < 1e-12)
        #expect(try double(ratio, "loss") > double(ratio["compute_optimal"] as! [String: Any], "loss"))

        let capped = try jsonObject(try scaling(["optimal"] + hoffmannFix + ["--flops", "1e25", "--max-tokens", "1T", "--format", "json"]).stdout)
        #expect(try double(capped, "tokens") == 1e12)
        #expect(capped["binding"] as? Bool == true)
        let loose = try jsonObject(try scaling(["optimal"] + hoffmannFix + ["--flops", "1e25", "--max-tokens", "100T", "--format", "json"]).stdout)
        #expect(loose["binding"] as? Bool == false)
        #expect(try double(loose, "tokens") == double(loose["compute_optimal"] as! [String: Any], "tokens"))
    }

    @Test("Llama 3's tokens law at 3.8e25 FLOPs: 1.63e13 tokens and 3.9e11 parameters")
    func llama3() throws {
        let r = try scaling(["optimal", "--tokens-law", "0.299,0.537", "--flops", "3.8e25", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        #expect(abs(try double(json, "tokens") / 1.63e13 - 1) < 0.005)
        #expect(abs(try double(json, "params") / 3.89e11 - 1) < 0.005)
        #expect(json["loss"] is NSNull)
    }

    @Test("envelope --format json: the envelope, its segments and the allocation")
    func envelope() throws {
        let r = try scaling(["envelope", curvesExample, "--flops", "1e23", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        let points = try #require(json["envelope"] as? [[String: Any]])
        #expect(points.count == 100)
        #expect(points.contains { $0["censored"] as? Bool == true })
        #expect((json["segments"] as? [Any])?.count == 8)
        #expect(abs(try double(json, "params_exponent") - 0.28 / 0.62) < 0.05)
        _ = try double(json["prediction"] as! [String: Any], "params")
        let text = try scaling(["envelope", curvesExample])
        #expect(text.stdout.contains("censored"))
        #expect(text.stdout.contains("N*(C) = k_N·C^a"))
    }

    @Test("Each new command has a help page with an example", arguments: ["isoflop", "envelope", "flops", "optimal"])
    func help(command: String) throws {
        let r = try scaling(["help", command])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Examples:"))
        #expect(r.stdout.contains("scaling \(command)"))
    }
}
