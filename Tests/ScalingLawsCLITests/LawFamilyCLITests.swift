import Foundation
import Testing

func example(_ name: String) -> String { repositoryRoot.appendingPathComponent("Examples/data/\(name)").path }

/// One law with data it can be fitted to and a target to predict.
struct LawCase: CustomTestStringConvertible, Sendable {
    var name: String
    var fit: [String]        // law-selecting arguments after the file
    var file: String
    var target: [String]     // predict arguments
    var testDescription: String { name }
}

let lawCases: [LawCase] = [
    LawCase(name: "power", fit: ["--law", "power", "--x", "params"], file: example("chinchilla_fig4_fitset.csv"), target: ["--params", "70B"]),
    LawCase(name: "saturating", fit: ["--law", "saturating"], file: example("chinchilla_fig4_fitset.csv"), target: ["--flops", "1e24"]),
    LawCase(name: "chinchilla", fit: ["--law", "chinchilla"], file: example("chinchilla_fig4_fitset.csv"), target: ["--params", "70B", "--tokens", "1.4T"]),
    LawCase(name: "kaplan", fit: ["--law", "kaplan"], file: example("chinchilla_fig4_fitset.csv"), target: ["--params", "70B", "--tokens", "1.4T"]),
    LawCase(name: "data-constrained", fit: ["--law", "data-constrained"], file: example("data_constrained_synthetic.csv"),
            target: ["--params", "6.34e9", "--tokens", "242e9", "--unique-tokens", "25e9"]),
    LawCase(name: "bnsl", fit: ["--law", "bnsl", "--x", "steps"], file: example("bnsl_synthetic.csv"), target: ["--at", "2e6"]),
    LawCase(name: "test-time", fit: ["--law", "test-time"], file: example("test_time_synthetic.csv"), target: ["--at", "4096"]),
    LawCase(name: "formula", fit: ["--formula", "E + A*N^-alpha + B*D^-beta"], file: example("chinchilla_fig4_fitset.csv"),
            target: ["--params", "70B", "--tokens", "1.4T"]),
]

@Suite("scaling command line: every law family")
struct LawFamilyCLITests {
    @Test("fit, predict, bootstrap and JSON work for every law", arguments: lawCases)
    func everyLaw(c: LawCase) throws {
        let fit = try scaling(["fit", c.file] + c.fit + ["--format", "json"])
        #expect(fit.status == 0, "\(fit.stderr)")
        let json = try jsonObject(fit.stdout)
        #expect(json["law"] as? String == c.name)
        let parameters = try #require(json["parameters"] as? [String: Double])
        #expect(!parameters.isEmpty && parameters.values.allSatisfy { $0.isFinite })
        #expect((json["intervals"] as? [String: [Double]])?.count ?? 0 >= parameters.count)

        let predict = try scaling(["predict", c.file] + c.fit + c.target + ["--format", "json"])
        #expect(predict.status == 0, "\(predict.stderr)")
        let prediction = try #require(((try jsonObject(predict.stdout))["predictions"] as? [[String: Any]])?.first)
        #expect((prediction["loss"] as? Double)?.isFinite == true)

        let boot = try scaling(["fit", c.file] + c.fit + ["--bootstrap", "16", "--format", "json"])
        #expect(boot.status == 0, "\(boot.stderr)")
        #expect(((try jsonObject(boot.stdout))["uncertainty"] as? [String: Any])?["method"] as? String == "bootstrap")
    }

    @Test("The published data-constrained fit reproduces the worked example from the command line")
    func dataConstrainedWorkedExample() throws {
        let r = try scaling(["predict", "--law", "data-constrained",
                             "--fix", "E=1.8691436784054858,A=520.8249516599187,B=1487.716093782861,alpha=0.3526596,beta=0.3526596,RD_star=15.387756,RN_star=5.309743",
                             "--params", "6.34e9", "--tokens", "242e9", "--unique-tokens", "25e9", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let loss = try #require(((try jsonObject(r.stdout))["predictions"] as? [[String: Any]])?.first?["loss"] as? Double)
        #expect(abs(loss / 2.2256440889984477 - 1) < 1e-12)
        let o = try scaling(["optimal", "--law", "data-constrained",
                             "--fix", "E=1.8691436784054858,A=520.8249516599187,B=1487.716093782861,alpha=0.3526596,beta=0.3526596,RD_star=15.387756,RN_star=5.309743",
                             "--flops", "1e22", "--unique-tokens", "5e9", "--format", "json"])
        #expect(o.status == 0, "\(o.stderr)")
        #expect(try jsonObject(o.stdout)["params"] is Double)
    }

    @Test("--formula reaches the built-in objective; --tie and --bounds constrain it")
    func formulaAndConstraints() throws {
        let file = example("chinchilla_fig4_fitset.csv")
        let builtIn = try jsonObject(try scaling(["fit", file, "--format", "json"]).stdout)
        let formula = try jsonObject(try scaling(["fit", file, "--formula", "E + A*N^-alpha + B*D^-beta", "--format", "json"]).stdout)
        let a = (builtIn["objective"] as! [String: Any])["value"] as! Double
        let b = (formula["objective"] as! [String: Any])["value"] as! Double
        #expect(abs(a / b - 1) < 1e-9)
        let tied = try jsonObject(try scaling(["fit", file, "--tie", "alpha=beta", "--format", "json"]).stdout)
        let p = tied["parameters"] as! [String: Double]
        #expect(p["alpha"] == p["beta"])
        #expect((tied["ties"] as? [String: String])?["beta"] == "alpha")
        let bounded = try jsonObject(try scaling(["fit", file, "--bounds", "alpha=0.4:1", "--format", "json"]).stdout)
        #expect((bounded["parameters"] as! [String: Double])["alpha"]! >= 0.4)
        let initialised = try scaling(["fit", file, "--formula", "E + A*N^-alpha + B*D^-beta", "--init", "alpha=0.3,beta=0.3"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
    }

    @Test("compare works across law families")
    func compareFamilies() throws {
        let r = try scaling(["compare", example("bnsl_synthetic.csv"), "--laws", "bnsl,saturating,power", "--x", "steps", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let laws = try #require((try jsonObject(r.stdout))["laws"] as? [[String: Any]])
        #expect(laws.first?["law"] as? String == "bnsl")
    }

    @Test("Formula errors print the formula with a caret under the character", arguments: [
        ("E + A*(N^-alpha", "unbalanced parentheses", 6),
        ("E + A*foo(N)", "unknown function \"foo\"", 6),
        ("N^-0.5", "no parameters", 0),
    ])
    func formulaErrors(text: String, message: String, caret: Int) throws {
        let r = try scaling(["fit", example("chinchilla_fig4_fitset.csv"), "--formula", text])
        #expect(r.exited && r.status == 1)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 3, "\(r.stderr)")
        #expect(lines[0].hasPrefix("scaling: error: --formula: ") && lines[0].contains(message))
        #expect(lines[1] == Substring("  " + text))
        #expect(lines[2] == Substring("  " + String(repeating: " ", count: caret) + "^"))
    }

    @Test("A formula variable the file cannot supply is refused at its character")
    func formulaMissingVariable() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "params,loss\n1e8,3.2\n2e8,3.0\n4e8,2.9\n8e8,2.8\n".write(to: dir.appendingPathComponent("runs.csv"), atomically: true, encoding: .utf8)
        let r = try scaling(["fit", "runs.csv", "--formula", "E + A*N^-alpha + B*D^-beta"], in: dir)
        #expect(r.status == 1)
        #expect(r.stderr.contains("D stands for tokens"))
        #expect(r.stderr.hasSuffix("  " + String(repeating: " ", count: 19) + "^\n"))
    }
}
