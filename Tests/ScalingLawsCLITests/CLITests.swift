import Foundation
import Testing

@Suite("scaling command line, end to end")
struct CLITests {
    @Test("fit prints a table with parameters, objective, runs and termination")
    func fitTable() throws {
        let r = try scaling(["fit", exampleCSV, "--law", "chinchilla"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("chinchilla: L = E + A / N^alpha + B / D^beta"))
        #expect(r.stdout.contains("runs       240"))
        #expect(r.stdout.contains("sum over runs of Huber(delta=0.001) of ln(y) - ln(y_hat) = 0.00101827"))
        #expect(r.stdout.contains("converged"))
        for name in ["E", "A", "B", "alpha", "beta"] {
            #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix(name + " ") })
        }
        #expect(r.stderr.isEmpty)
    }

    @Test("fit --format json has law, parameters, objective and runs")
    func fitJSON() throws {
        let r = try scaling(["fit", exampleCSV, "--law", "chinchilla", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try jsonObject(r.stdout)
        #expect(json["law"] as? String == "chinchilla")
        #expect(json["runs"] as? Int == 240)
        let parameters = try #require(json["parameters"] as? [String: Double])
        #expect(Set(parameters.keys) == ["E", "A", "B", "alpha", "beta"])
        #expect(abs(parameters["alpha"]! - 0.3473) < 0.001)
        let objective = try #require(json["objective"] as? [String: Any])
        #expect(objective["loss"] as? String == "huber")
        #expect(objective["delta"] as? Double == 0.001)
        #expect(objective["space"] as? String == "log")
        #expect(try #require(objective["value"] as? Double) <= 0.00101828)
    }

    @Test("fit --save then predict --fit and optimal --fit give the same numbers as refitting")
    func saveRoundTrip() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let saved = dir.appendingPathComponent("fit.json").path
        let fit = try scaling(["fit", exampleCSV, "--law", "chinchilla", "--save", saved])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(FileManager.default.fileExists(atPath: saved))

        let viaFile = try scaling(["predict", "--fit", saved, "--params", "70e9", "--tokens", "1.4e12", "--format", "json"])
        let viaData = try scaling(["predict", exampleCSV, "--law", "chinchilla", "--params", "70B", "--tokens", "1.4T", "--format", "json"])
        #expect(viaFile.status == 0 && viaData.status == 0, "\(viaFile.stderr) \(viaData.stderr)")
        let p1 = try #require((try jsonObject(viaFile.stdout))["predictions"] as? [[String: Any]])
        let p2 = try #require((try jsonObject(viaData.stdout))["predictions"] as? [[String: Any]])
        #expect(p1.count == 1)
        #expect(p1[0]["params"] as? Double == 70e9)
        #expect(p1[0]["tokens"] as? Double == 1.4e12)
        #expect(abs((p1[0]["flops"] as! Double) - 5.88e23) / 5.88e23 < 1e-12)
        #expect(p1[0]["loss"] as? Double == p2[0]["loss"] as? Double)
        // The published grid fit (Besiroglu et al. 2024) evaluated at Chinchilla's own N and D.
        let published = 1.817236 + 477.8417 * pow(70e9, -0.347313) + 2143.8638 * pow(1.4e12, -0.367183)
        #expect(abs((p1[0]["loss"] as! Double) / published - 1) < 1e-4)

        let opt = try scaling(["optimal", "--fit", saved, "--flops", "5.88e23", "--format", "json"])
        #expect(opt.status == 0, "\(opt.stderr)")
        let o = try jsonObject(opt.stdout)
        for key in ["flops", "params", "tokens", "tokens_per_param", "loss"] { #expect(o[key] is Double, "\(key)") }
    }

    @Test("optimal with Hoffmann's published parameters, no data")
    func optimalPublished() throws {
        let r = try scaling(["optimal", "--law", "chinchilla", "--fix", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28",
                             "--flops", "5.88e23", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try jsonObject(r.stdout)
        #expect(abs((o["params"] as! Double) / 3.249e10 - 1) < 1e-3)
        #expect(abs((o["tokens"] as! Double) / 3.016e12 - 1) < 1e-3)
        #expect(abs((o["loss"] as! Double) / 1.930 - 1) < 1e-3)
        let text = try scaling(["optimal", "--law", "chinchilla", "--fix", "E=1.69,A=406.4,B=410.7", "--fix", "alpha=0.34,beta=0.28",
                                "--flops", "5.88e23"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("32.49B"))  // N_opt = 3.249e10, in the table's units
    }

    @Test("predict with several targets and a derived variable")
    func predictList() throws {
        let r = try scaling(["predict", exampleCSV, "--law", "chinchilla", "--params", "1B,7B,70B", "--flops", "1.2e20,5.88e21,5.88e23"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        let rows = lines.map { $0.split(separator: " ").map(String.init) }.filter { ["1B", "7B", "70B"].contains($0.first ?? "") }
        #expect(rows.count == 3)
        // tokens derived as C / (6N): 1.2e20 / 6e9 = 2e10.
        #expect(rows.first?[1] == "20B")
    }

    @Test("power and saturating laws on a chosen variable")
    func oneVariableLaws() throws {
        let power = try scaling(["fit", exampleCSV, "--law", "power", "--x", "params", "--objective", "mse", "--format", "json"])
        #expect(power.status == 0, "\(power.stderr)")
        let pj = try jsonObject(power.stdout)
        #expect((pj["objective"] as? [String: Any])?["loss"] as? String == "mse")
        #expect(((pj["parameters"] as? [String: Double])?["alpha"] ?? 0) > 0)
        let sat = try scaling(["fit", exampleCSV, "--law", "saturating", "--x", "flops"])
        #expect(sat.status == 0, "\(sat.stderr)")
        #expect(sat.stdout.contains("L = E + A * C^-alpha"))
        let satOptimal = try scaling(["optimal", exampleCSV, "--law", "saturating", "--flops", "1e24", "--format", "json"])
        #expect(satOptimal.status == 0, "\(satOptimal.stderr)")
        #expect(try jsonObject(satOptimal.stdout)["loss"] is Double)
    }

    @Test("laws lists every law")
    func laws() throws {
        let r = try scaling(["laws"])
        #expect(r.status == 0)
        for name in ["power", "saturating", "chinchilla"] { #expect(r.stdout.contains(name)) }
    }
}
